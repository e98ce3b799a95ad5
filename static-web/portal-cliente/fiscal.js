// Régimen fiscal y uso del CFDI del alta: solo los pares que el servidor acepta, según el tipo de persona que
// indica el RFC (13 caracteres física, 12 moral), de GET /api/catalogo/regimenes-fiscales (issue 21).
import { api, lista } from '../comun/api.js';
import { h } from '../comun/ui.js';

const cache = new Map();
const catalogo = (tipo) => {
  if (!cache.has(tipo)) cache.set(tipo, api.get(`/api/catalogo/regimenes-fiscales?tipo=${tipo}`).then(lista).catch((e) => { cache.delete(tipo); throw e; }));
  return cache.get(tipo);
};

const opciones = (select, lista, elegido) => {
  select.replaceChildren(...lista.map((x) => h('option', { value: x.clave }, `${x.clave} ${x.descripcion}`)));
  if (lista.some((x) => x.clave === elegido)) select.value = elegido;
};

/** Enlaza los selects regimenFiscal y usoCfdi del formulario con su RFC; conserva lo elegido si sigue siendo válido. */
export function enlazarParesFiscales(form, guardado = {}) {
  const { rfc, regimenFiscal, usoCfdi } = form.elements;
  if (!rfc || !regimenFiscal || !usoCfdi) return;
  let regimenes = [];
  const pintarUsos = (elegido) => opciones(usoCfdi, regimenes.find((r) => r.clave === regimenFiscal.value)?.usos ?? [], elegido);
  const cargar = async () => {
    const tipo = rfc.value.trim().length === 12 ? 'moral' : 'fisica';
    try {
      regimenes = await catalogo(tipo);
      opciones(regimenFiscal, regimenes, regimenFiscal.value || guardado.regimenFiscal);
      pintarUsos(usoCfdi.value || guardado.usoCfdi);
    } catch { /* sin catálogo se queda lo que hay; el servidor nombrará el campo */ }
  };
  rfc.addEventListener('change', cargar);
  regimenFiscal.addEventListener('change', () => pintarUsos(usoCfdi.value));
  cargar();
}

const CAMPOS_FISCALES = ['rfc', 'regimenFiscal', 'usoCfdi', 'cpFiscal'];

/**
 * «No necesito factura» del alta (issue 20): marcada, oculta RFC, régimen, uso y código postal fiscal y no los valida ni los envía
 * (el servidor le da los datos del público en general y le cobra con notas de venta). Ajusta las reglas antes de validarAlSalir.
 */
export function enlazarSinFactura(form, reglas, guardado = {}) {
  const casilla = h('input', { type: 'checkbox', id: 'c-sinFactura', name: 'sinFactura', 'aria-describedby': 'c-sinFactura-ayuda' });
  casilla.checked = !!guardado.sinFactura;
  const envoltura = (n) => form.elements[n]?.closest('.campo');
  envoltura('rfc')?.before(h('div', { class: 'campo' },
    h('label', { class: 'casilla', for: 'c-sinFactura' }, casilla, 'No necesito factura'),
    h('p', { class: 'ayuda', id: 'c-sinFactura-ayuda' }, 'Le cobraremos con notas de venta; si después necesita la factura de una, podrá pedirla en «Mis facturas».')));
  for (const n of ['rfc', 'cpFiscal']) {
    const regla = reglas[n];
    if (regla) reglas[n] = (v) => (casilla.checked ? null : regla(v));
  }
  // .campo is display:flex, which outranks [hidden]: the inline display (CSSOM, allowed by the CSP) hides it too.
  const aplicar = () => CAMPOS_FISCALES.forEach((n) => { const c = envoltura(n); if (c) { c.hidden = casilla.checked; c.style.display = casilla.checked ? 'none' : ''; } });
  casilla.addEventListener('change', aplicar);
  aplicar();
}

/** Los datos fiscales que viajan en el alta: los del formulario, o solo requiereFactura:false. */
export const datosFiscalesAlta = (d) => (d.sinFactura
  ? { requiereFactura: false }
  : { rfc: d.rfc.toUpperCase(), regimenFiscal: d.regimenFiscal, usoCfdi: d.usoCfdi, cpFiscal: d.cpFiscal });
