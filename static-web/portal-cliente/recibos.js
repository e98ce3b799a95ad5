// Notas de venta del cliente sin RFC (issue 20) y su factura: mientras el CFDI global del mes no las incluya, el cliente puede
// pedir la factura de una con sus datos fiscales (POST /api/facturacion/recibos/{id}/factura); desde entonces se le factura con RFC.
import { api, lista, descargar, nuevoUuid } from '../comun/api.js';
import { dinero, fecha } from '../comun/formato.js';
import { h, campo, tabla, mostrarError, anunciar, validarFormulario, validarAlSalir, boton, ocupado } from '../comun/ui.js';
import { validarRfc, validarCp, requerido } from '../comun/validacion.js';
import { enlazarParesFiscales } from './fiscal.js';

const REGLAS = {
  rfc: (v) => validarRfc(v) ?? (['XAXX010101000', 'XEXX010101000'].includes(v.trim().toUpperCase()) ? 'Escriba su propio RFC, no el genérico.' : null),
  nombre: requerido,
  cpFiscal: validarCp,
};

const descargas = (r, caja) => h('div', { class: 'acciones' },
  boton(`Factura de ${r.serie}-${r.folio}: XML`, () => descargar(`/api/facturacion/recibos/${r.id}/factura/xml`, `${r.facturaUuid}.xml`).catch((e) => mostrarError(caja, e)), 'secundario'),
  boton(`Factura de ${r.serie}-${r.folio}: impresa`, () => descargar(`/api/facturacion/recibos/${r.id}/factura/representacion`, `${r.facturaUuid}.html`).catch((e) => mostrarError(caja, e)), 'secundario'));

/** El formulario de datos fiscales para facturar la nota de venta r; al timbrarse, alTerminar() repinta la lista. */
function formularioFactura(r, zona, alTerminar) {
  const caja = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': `Solicitar factura de ${r.serie}-${r.folio}` },
    h('h3', {}, `Factura de la nota de venta ${r.serie}-${r.folio} (${dinero(r.total)})`),
    h('p', { class: 'ayuda' }, 'Sus datos como aparecen en su constancia de situación fiscal. Desde ahora sus recibos mensuales serán facturas a su nombre.'),
    campo('RFC', 'rfc', { required: true, maxlength: 13, ayuda: '12 o 13 caracteres, con homoclave.' }),
    campo('Nombre o razón social', 'nombre', { required: true, autocomplete: 'name' }),
    campo('Régimen fiscal', 'regimenFiscal', { tipo: 'select' }),
    campo('Uso del CFDI', 'usoCfdi', { tipo: 'select' }),
    campo('Código postal fiscal', 'cpFiscal', { inputmode: 'numeric', maxlength: 5, required: true }),
    h('div', { class: 'acciones' }, h('button', { type: 'submit' }, 'Facturar'), boton('Cancelar', () => zona.replaceChildren(), 'secundario')));
  enlazarParesFiscales(form);
  validarAlSalir(form, REGLAS);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, REGLAS)) return;
    // Una clave por nota de venta, conservada entre reintentos: un doble clic o un reintento no piden otra factura.
    const claveGuardada = `factura-recibo-${r.id}`;
    const clave = sessionStorage.getItem(claveGuardada) || nuevoUuid();
    sessionStorage.setItem(claveGuardada, clave);
    const d = Object.fromEntries(['rfc', 'nombre', 'regimenFiscal', 'usoCfdi', 'cpFiscal'].map((k) => [k, form.elements[k].value.trim()]));
    try {
      const f = await ocupado(form.querySelector('[type=submit]'), () => api.post(`/api/facturacion/recibos/${r.id}/factura`, { ...d, rfc: d.rfc.toUpperCase() }, clave));
      sessionStorage.removeItem(claveGuardada);
      zona.replaceChildren(h('p', { class: 'exito', role: 'status' }, `Factura ${f.serie}-${f.folio} timbrada: folio fiscal ${String(f.uuid).toUpperCase()}.`));
      anunciar('Factura timbrada.');
      await alTerminar();
    } catch (e) {
      // Un rechazo definitivo (400, 404, 409) no se repite con la misma clave; un 503 sí (timbra el mismo CFDI).
      if (e.status !== 503) sessionStorage.removeItem(claveGuardada);
      mostrarError(caja, e, form);
    }
  });
  return [caja, form];
}

/** La tabla «Mis notas de venta» con su acción «Solicitar factura» (sin notas de venta no muestra nada). */
export async function misRecibos(el) {
  const contenedor = h('div', {});
  const zona = h('div', {});
  const caja = h('div', { 'aria-live': 'polite' });
  const pintar = async () => {
    // GET /api/facturacion/recibos (un cliente ve solo los suyos) → { elementos: [{ id, serie, folio, periodo, total, estado, fechaEmision, cfdiGlobalUuid, facturaUuid, facturable }] }
    let r;
    try { r = lista(await api.get('/api/facturacion/recibos?tamano=50')); } catch (e) { mostrarError(caja, e); return; }
    contenedor.replaceChildren(r.length === 0 ? '' : tabla('Mis notas de venta', r, [
      { campo: 'serie', titulo: 'Folio', formato: (v, x) => `${v}-${x.folio}` },
      { campo: 'periodo', titulo: 'Periodo' },
      { campo: 'fechaEmision', titulo: 'Emitida', formato: fecha },
      { campo: 'total', titulo: 'Total', formato: dinero },
      { titulo: 'Factura', celda: (x) => (x.facturaUuid ? descargas(x, caja)
        : x.facturable ? boton(`Solicitar factura de ${x.serie}-${x.folio}`, () => { zona.replaceChildren(...formularioFactura(x, zona, pintar)); zona.querySelector('input')?.focus(); })
          : x.cfdiGlobalUuid ? 'Incluida en el CFDI global del mes' : '—') },
    ]));
  };
  el.append(caja, contenedor, zona);
  await pintar();
}
