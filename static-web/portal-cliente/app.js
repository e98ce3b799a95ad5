// Portal del cliente: cobertura, planes, alta en pasos, seguimiento; con sesión de cliente: mi cuenta (estado de cuenta,
// próximo corte, avisos de suspensión), facturas,
// router y soporte. Pagar: POST /api/pagos/en-linea (la pasarela cobra y avisa por su webhook firmado).
import { api, lista, descargar, nuevoUuid, ErrorApi } from '../comun/api.js';
import { iniciarPortal } from '../comun/portal.js';
import { dinero, fecha, dia, hoyMx } from '../comun/formato.js';
import { h, campo, tabla, mostrarError, anunciar, validarFormulario, validarAlSalir, boton, ocupado, marcarCampo } from '../comun/ui.js';
import { ESTADOS_FACTURA, ESTADOS_CONTRATO, ESTADOS_ROUTER, ESTADOS_TICKET, PASOS_ALTA, ESTADOS_PASO_ALTA, etiqueta } from '../comun/etiquetas.js';
import { validarRfc, validarEmail, validarTelefono, validarCp, requerido } from '../comun/validacion.js';
import { vistasCuenta, enlacesIngresoCliente } from '../comun/cuentas.js';
import { misTickets, ayuda } from './mesa.js';
import { enlazarParesFiscales, enlazarSinFactura, datosFiscalesAlta } from './fiscal.js';
import { misRecibos } from './recibos.js';

const estado = JSON.parse(sessionStorage.getItem('telecable.alta') || '{}'); // plan, zona y borrador del alta
const guardarEstado = () => sessionStorage.setItem('telecable.alta', JSON.stringify(estado));

function cobertura(el, ctx) {
  const res = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'tarjeta', novalidate: true },
    campo('Código postal', 'cp', { inputmode: 'numeric', maxlength: 5, autocomplete: 'postal-code', required: true, valor: estado.cp }),
    h('button', { type: 'submit' }, 'Consultar cobertura'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { cp: validarCp })) return;
    const cp = form.cp.value.trim();
    try {
      await ocupado(form.querySelector('[type=submit]'), () => consultarCobertura(cp));
    } catch (e) { mostrarError(res, e, form); }
  });
  async function consultarCobertura(cp) {
    // GET /api/catalogo/zonas/{cp} → { cp, municipio, estado, colonias, zona: { id, nombre, activa, ... }, planes, combos }; 404 sin cobertura.
    let z = null;
    try { z = await api.get(`/api/catalogo/zonas/${encodeURIComponent(cp)}`); } catch (e) { if (!(e instanceof ErrorApi && e.status === 404)) throw e; }
    const hay = !!z && z.zona?.activa !== false;
    Object.assign(estado, hay ? { cp, zona: z.zona.id, zonaNombre: z.zona.nombre, municipio: z.municipio, estadoMx: z.estado } : { cp, zona: null, zonaNombre: null }); guardarEstado();
    res.replaceChildren(h('div', { class: hay ? 'exito' : 'aviso' },
      h('p', {}, hay ? `¡Hay cobertura en ${cp}${estado.zonaNombre ? ` (${estado.zonaNombre})` : ''}!` : `Aún no hay cobertura en ${cp}.`),
      hay ? h('a', { href: '#/planes', class: 'boton-enlace' }, 'Ver planes disponibles') : null));
    anunciar(hay ? 'Hay cobertura.' : 'Sin cobertura.');
  }
  el.append(h('p', {}, 'Escriba su código postal para saber si llegamos a su domicilio.'), form, res);
}

/** Qué incluye un plan, en palabras (velocidades, canales, líneas, tecnología). */
function incluye(f) {
  const cosas = [];
  if (f.velocidadBajadaMbps) cosas.push(`Internet de ${f.velocidadBajadaMbps >= 1000 ? `${f.velocidadBajadaMbps / 1000} Gbps` : `${f.velocidadBajadaMbps} Mbps`} de bajada`
    + (f.velocidadSubidaMbps ? ` y ${f.velocidadSubidaMbps} Mbps de subida` : ''));
  if (f.canales) cosas.push(`${f.canales} canales de TV`);
  if (f.lineas) cosas.push(f.lineas === 1 ? 'Una línea de teléfono con llamadas ilimitadas' : `${f.lineas} líneas de teléfono`);
  if (f.tecnologia === 'FTTH') cosas.push('Fibra óptica hasta su casa');
  if (f.velocidadBajadaMbps) cosas.push('Router Wi-Fi en comodato');
  if (f.descripcion) cosas.push(f.descripcion);
  return cosas;
}

// Planes como tarjetas: qué incluye y el precio real del primer mes (la cotización del catálogo, con impuestos y promoción).
async function planes(el, ctx) {
  if (!estado.zona) { el.append(h('p', {}, 'Primero consulte la cobertura de su código postal. '), h('a', { href: '#/cobertura' }, 'Consultar cobertura')); return; }
  const r = lista(await api.get(`/api/catalogo/planes?zona=${encodeURIComponent(estado.zona)}&tamano=100`));
  if (!r.length) { el.append(h('p', { class: 'vacio' }, 'Por ahora no hay planes a la venta en su zona.')); return; }
  el.append(h('p', {}, `Planes en ${estado.zonaNombre || estado.cp}. Precios con IVA incluido.`),
    h('ul', { class: 'planes', 'aria-label': 'Planes y precios' }, r.map((f) => {
      const c = f.cotizacion ?? {};
      const promo = f.promociones?.[0];
      const id = `plan-${f.id}`;
      return h('li', { class: `tarjeta plan${promo ? ' destacado' : ''}`, 'aria-labelledby': id },
        h('h3', { id }, f.nombre),
        promo ? h('p', { class: 'insignia' }, promo.nombre) : null,
        h('p', { class: 'precio' }, dinero(c.total ?? f.precioMensual),
          h('small', {}, 'el primer mes', c.totalRegular && Number(c.totalRegular) !== Number(c.total) ? `; después ${dinero(c.totalRegular)} al mes` : ' y cada mes')),
        h('ul', {}, incluye(f).map((t) => h('li', {}, t))),
        boton(`Contratar ${f.nombre}`, () => { estado.plan = { id: f.id, nombre: f.nombre }; guardarEstado(); ctx.navegar('alta'); }));
    })));
}

const AVISO_PRIVACIDAD = '2026-01';
// El paso del alta donde se escribe cada campo, para volver a él cuando la API lo rechaza (cliente.domicilio.cp → codigoPostal).
const PASO_DEL_CAMPO = {
  planId: 0, nombre: 1, rfc: 1, email: 1, telefono: 1, regimenFiscal: 1, usoCfdi: 1, cpFiscal: 1,
  calle: 2, numeroExterior: 2, numeroInterior: 2, colonia: 2, codigoPostal: 2, municipio: 2, estado: 2, referencias: 2,
  terminos: 3, privacidad: 3, fechaInstalacion: 4, franjaHoraria: 4, diaCorte: 4,
};
const CAMPO_DEL_FORMULARIO = { cp: 'codigoPostal' };
const PASOS = ['Plan', 'Datos personales y fiscales', 'Domicilio', 'Consentimientos', 'Instalación'];

function alta(el, ctx) {
  estado.paso ??= 0; estado.datos ??= {};
  const pintar = () => {
    const paso = estado.paso;
    const caja = h('div', { class: 'caja-alta' });
    const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': PASOS[paso] });
    const reglas = {};
    if (paso === 0) {
      form.append(estado.plan ? h('p', {}, 'Plan elegido: ', h('strong', {}, estado.plan.nombre)) : h('p', {}, 'Aún no elige un plan. ', h('a', { href: '#/planes' }, 'Ver planes')));
    } else if (paso === 1) {
      form.append(campo('Nombre completo o razón social', 'nombre', { autocomplete: 'name', required: true }),
        campo('RFC', 'rfc', { required: true, maxlength: 13, ayuda: '12 o 13 caracteres, con homoclave.' }),
        campo('Correo electrónico', 'email', { tipo: 'email', autocomplete: 'email', required: true }),
        campo('Teléfono (10 dígitos)', 'telefono', { tipo: 'tel', inputmode: 'numeric', autocomplete: 'tel-national', required: true }),
        campo('Régimen fiscal', 'regimenFiscal', { tipo: 'select', opciones: [['612', '612 Personas físicas con actividades empresariales'], ['626', '626 Régimen simplificado de confianza'], ['605', '605 Sueldos y salarios'], ['616', '616 Sin obligaciones fiscales'], ['601', '601 General de ley personas morales']] }),
        campo('Uso del CFDI', 'usoCfdi', { tipo: 'select', opciones: [['G03', 'G03 Gastos en general'], ['S01', 'S01 Sin efectos fiscales']] }),
        campo('Código postal fiscal', 'cpFiscal', { inputmode: 'numeric', maxlength: 5, required: true }));
      Object.assign(reglas, { nombre: requerido, rfc: validarRfc, email: validarEmail, telefono: validarTelefono, cpFiscal: validarCp });
    } else if (paso === 2) {
      form.append(campo('Calle', 'calle', { autocomplete: 'address-line1', required: true }), campo('Número exterior', 'numeroExterior', { required: true }),
        campo('Número interior (opcional)', 'numeroInterior'), campo('Colonia', 'colonia', { required: true }),
        campo('Código postal', 'codigoPostal', { inputmode: 'numeric', maxlength: 5, required: true, valor: estado.cp }),
        campo('Municipio', 'municipio', { required: true, valor: estado.municipio }), campo('Estado', 'estado', { required: true, valor: estado.estadoMx ?? 'Nuevo León' }),
        campo('Referencias (opcional)', 'referencias'));
      Object.assign(reglas, { calle: requerido, numeroExterior: requerido, colonia: requerido, codigoPostal: validarCp, municipio: requerido, estado: requerido });
    } else if (paso === 3) {
      const casilla = (n, t) => h('div', { class: 'campo' }, h('label', { class: 'casilla', for: `c-${n}` }, h('input', { type: 'checkbox', id: `c-${n}`, name: n }), t));
      form.append(casilla('terminos', 'Acepto los términos y condiciones del servicio'), casilla('privacidad', 'Acepto el aviso de privacidad'), casilla('publicidad', 'Acepto recibir promociones (opcional)'));
      Object.assign(reglas, { terminos: (v) => (v ? null : 'Debe aceptar los términos.'), privacidad: (v) => (v ? null : 'Debe aceptar el aviso de privacidad.') });
    } else {
      // GET /api/catalogo/dias-corte → { dias: [1, 5, ...], porDefecto, siguienteCortePorDefecto }
      const corte = campo('Día de corte (su factura mensual)', 'diaCorte', { tipo: 'select', opciones: [['', 'El más próximo a la instalación']],
        ayuda: 'Cada mes se factura ese día; la primera factura cubre solo de la instalación al día anterior al corte.' });
      form.append(campo('Fecha de instalación deseada', 'fechaInstalacion', { tipo: 'date', min: hoyMx(), required: true }),
        campo('Horario', 'franjaHoraria', { tipo: 'select', opciones: [['matutina', 'Matutino (9 a 14 h)'], ['vespertina', 'Vespertino (14 a 19 h)']] }), corte);
      api.get('/api/catalogo/dias-corte').then((c) => {
        const s = corte.querySelector('select');
        for (const d of c.dias) s.append(h('option', { value: String(d) }, `Día ${d} de cada mes`));
        if (estado.datos.diaCorte) s.value = estado.datos.diaCorte;
      }).catch(() => { /* sin catálogo: el día más próximo, que el servidor elige */ });
      reglas.fechaInstalacion = (v) => (!v ? 'Elija una fecha.' : v < hoyMx() ? 'La fecha no puede ser anterior a hoy.' : null);
    }
    for (const [k, v] of Object.entries(estado.datos)) { const c = form.elements[k]; if (c) { if (c.type === 'checkbox') c.checked = !!v; else c.value = v; } }
    if (paso === 1) enlazarParesFiscales(form, estado.datos);
    if (paso === 1) enlazarSinFactura(form, reglas, estado.datos);
    validarAlSalir(form, reglas);
    const ultimo = paso === PASOS.length - 1;
    form.append(h('div', { class: 'acciones' },
      paso > 0 ? boton('Anterior', () => { estado.paso--; guardarEstado(); pintar(); }, 'secundario') : null,
      h('button', { type: 'submit', disabled: paso === 0 && !estado.plan }, ultimo ? 'Enviar solicitud' : 'Siguiente')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!validarFormulario(form, reglas)) return;
      for (const c of form.elements) if (c.name) estado.datos[c.name] = c.type === 'checkbox' ? c.checked : c.value.trim();
      if (!ultimo) { estado.paso++; guardarEstado(); pintar(); return; }
      // Una clave por intento de alta, conservada entre reintentos: un reenvío no crea un segundo cliente.
      estado.clave ??= nuevoUuid(); guardarEstado();
      const d = estado.datos;
      try {
        // SolicitudAlta: el cliente como en POST /api/clientes (domicilio y consentimiento dentro), el plan y la fecha.
        // Municipio y estado los da el código postal (no viajan); los términos aceptados son requisito del formulario.
        const r = await ocupado(form.querySelector('[type=submit]'), () => api.post('/api/altas', {
          planId: estado.plan.id,
          cliente: {
            nombre: d.nombre, ...datosFiscalesAlta(d), email: d.email, telefono: d.telefono.replace(/\D/g, ''),
            domicilio: { calle: d.calle, numeroExterior: d.numeroExterior, numeroInterior: d.numeroInterior || null, colonia: d.colonia, cp: d.codigoPostal, referencias: d.referencias || null },
            consentimiento: { avisoPrivacidadVersion: AVISO_PRIVACIDAD, aceptaMarketing: !!d.publicidad, origen: 'portal_cliente', userAgent: navigator.userAgent },
          },
          fechaInstalacion: d.fechaInstalacion, franjaHoraria: d.franjaHoraria, diaCorte: d.diaCorte ? Number(d.diaCorte) : null,
        }, estado.clave));
        const id = r.id;
        sessionStorage.setItem('telecable.ultimaAlta', id);
        for (const k of ['clave', 'paso', 'datos']) delete estado[k];
        guardarEstado();
        anunciar('Solicitud enviada.');
        ctx.navegar('seguimiento');
      } catch (e) {
        // Los errores de campo de la API se muestran junto al campo de su paso (se vuelve a ese paso con lo escrito); los demás, arriba.
        if (!irAlPasoDelError(e)) mostrarError(caja, e, form);
      }
    });
    function irAlPasoDelError(e) {
      const [campoApi, motivos] = Object.entries(e.errores ?? {})[0] ?? [];
      const nombre = campoApi && (CAMPO_DEL_FORMULARIO[campoApi.split('.').at(-1)] ?? campoApi.split('.').at(-1));
      const destino = nombre ? PASO_DEL_CAMPO[nombre] : undefined;
      if (destino === undefined || destino === paso) return false;
      estado.paso = destino; guardarEstado(); pintar();
      const nuevo = el.querySelector('form');
      mostrarError(el.querySelector('.caja-alta'), e, nuevo);
      const control = nuevo.elements[nombre];
      if (control) { marcarCampo(control, motivos.join(' ')); control.focus(); }
      return true;
    }
    el.replaceChildren(h('ol', { class: 'pasos', 'aria-label': 'Pasos del alta' }, PASOS.map((p, i) => h('li', { 'aria-current': i === paso ? 'step' : false }, `${i + 1}. ${p}`))),
      h('h3', {}, PASOS[paso]), caja, form);
  };
  pintar();
}

const ESTADOS_ALTA = { en_curso: 'En curso', compensando: 'Revirtiendo', completada: 'Completada: instalación programada', fallida: 'No se pudo completar' };
const NOMBRE_PASO = (p) => etiqueta(PASOS_ALTA, p);

function seguimiento(el) {
  const res = h('div', { 'aria-live': 'polite' });
  // La solicitud recién enviada se consulta sola (su folio interno nunca se muestra); el campo es para un folio recibido por correo.
  let id = sessionStorage.getItem('telecable.ultimaAlta') || '';
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': 'Consultar una solicitud' },
    campo(id ? 'Folio de otra solicitud' : 'Folio de la solicitud', 'id', { required: true, autocomplete: 'off', ayuda: 'Viene en el correo de confirmación de su solicitud.' }),
    h('button', { type: 'submit' }, 'Consultar'));
  let reloj;
  const consultar = async () => {
    clearTimeout(reloj);
    try {
      // GET /api/altas/{id} → { estado: en_curso|compensando|completada|fallida, pasoFallido, motivo, pasos: [{ paso, estado, detalle, actualizadoEn }] }
      const a = await api.get(`/api/altas/${encodeURIComponent(id)}`);
      res.replaceChildren(h('div', { class: 'tarjeta' },
        h('p', {}, `Solicitud del ${fecha(a.createdAt)}. Estado: `, h('strong', {}, etiqueta(ESTADOS_ALTA, a.estado))),
        a.motivo ? h('p', { class: 'aviso' }, `No se pudo completar${a.pasoFallido ? ` (${NOMBRE_PASO(a.pasoFallido)})` : ''}: ${a.motivo}`) : null,
        a.pasos?.length ? h('ol', { class: 'pasos-alta' }, a.pasos.map((p) => h('li', {},
          `${NOMBRE_PASO(p.paso)}: ${etiqueta(ESTADOS_PASO_ALTA, p.estado)}`, p.detalle ? ` — ${p.detalle}` : '', p.actualizadoEn ? ` (${fecha(p.actualizadoEn)})` : ''))) : null));
      if (a.estado === 'completada') res.append(h('p', { class: 'exito' }, 'Ya es cliente de Telecable. ', h('a', { href: '#/crear-cuenta', class: 'boton-enlace' }, 'Crear mi cuenta')));
      if (['en_curso', 'compensando'].includes(a.estado) && document.body.contains(res)) reloj = setTimeout(consultar, 3000);
    } catch (e) { mostrarError(res, e, form); }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { id: requerido })) return;
    id = form.id.value.trim();
    ocupado(form.querySelector('[type=submit]'), consultar);
  });
  el.append(res, form);
  if (id) return consultar();
}

const EMITIDAS = ['timbrada', 'pagada', 'cancelada', 'cancelacion_pendiente'];
const emitida = (f) => EMITIDAS.includes(f.estado);

async function facturas(el) {
  const caja = h('div', { 'aria-live': 'polite' });
  // GET /api/facturacion/ultimas (un cliente ve solo las suyas) → { elementos: [{ uuid, serie, folio, periodo, total, estado, fechaEmision, fechaVencimiento }] }
  // Solo comprobantes emitidos: un borrador o uno que el PAC aún no timbra no es una factura para el cliente.
  const r = lista(await api.get('/api/facturacion/ultimas?tamano=50')).filter(emitida);
  el.append(caja, tabla('Mis facturas', r, [
    { campo: 'serie', titulo: 'Folio', formato: (v, f) => `${v ?? ''}${f.folio ?? ''}` },
    { campo: 'periodo', titulo: 'Periodo' },
    { campo: 'fechaEmision', titulo: 'Emitida', formato: fecha },
    { campo: 'fechaVencimiento', titulo: 'Vence', formato: dia },
    { campo: 'total', titulo: 'Total', formato: dinero },
    { campo: 'estado', titulo: 'Estado', formato: (v) => etiqueta(ESTADOS_FACTURA, v) },
    { titulo: 'Pagar', celda: (f) => (f.uuid && f.estado === 'timbrada' ? boton('Pagar con tarjeta', async () => {
      // One key per invoice and attempt, kept across retries of the same click.
      const clave = sessionStorage.getItem(`pago-${f.uuid}`) || nuevoUuid();
      sessionStorage.setItem(`pago-${f.uuid}`, clave);
      try {
        const p = await api.post('/api/pagos/en-linea', { facturas: [f.uuid] }, clave);
        caja.replaceChildren(h('p', { class: 'exito', role: 'status' }, `Pago de ${dinero(p.monto)} recibido (referencia ${p.referencia}); se aplicará en unos segundos.`));
      } catch (e) { mostrarError(caja, e); }
    }) : '—') },
    { titulo: 'Descargar', celda: (f) => (f.uuid ? h('div', { class: 'acciones' },
      boton('XML', () => descargar(`/api/facturacion/${f.uuid}/xml`, `factura-${f.serie ?? ''}${f.folio ?? ''}.xml`).catch((e) => mostrarError(caja, e)), 'secundario'),
      boton('Representación impresa', () => descargar(`/api/facturacion/${f.uuid}/representacion`, `factura-${f.serie ?? ''}${f.folio ?? ''}.html`).catch((e) => mostrarError(caja, e)), 'secundario'))
      // Sin RFC: una nota de venta (no es CFDI; entra al CFDI global del mes), con su copia imprimible.
      : f.serie === 'NV' ? boton('Nota de venta impresa', () => descargar(`/api/facturacion/recibos/${f.id}/representacion`, `NV-${f.folio}.html`).catch((e) => mostrarError(caja, e)), 'secundario')
        : '—') },
    // complementos: [{ pagoId, uuid, estado, impPagado, numParcialidad }], los CFDI de pago (tipo P) de sus pagos a esta factura.
    { titulo: 'Complementos de pago', celda: (f) => (f.complementos?.length ? h('div', { class: 'acciones' },
      ...f.complementos.flatMap((c) => [
        boton(`Parcialidad ${c.numParcialidad} (${dinero(c.impPagado)}): XML`, () => descargar(`/api/pagos/${c.pagoId}/complemento`, `${c.uuid}.xml`).catch((e) => mostrarError(caja, e)), 'secundario'),
        boton(`Parcialidad ${c.numParcialidad}: impresa`, () => descargar(`/api/pagos/${c.pagoId}/complemento/representacion`, `${c.uuid}.html`).catch((e) => mostrarError(caja, e)), 'secundario'),
      ])) : '—') },
    // notasCredito: [{ uuid, serie, folio, total, origen, motivo }], los CFDI de egreso (tipo E) que acreditaron esta factura.
    { titulo: 'Notas de crédito', celda: (f) => (f.notasCredito?.length ? h('div', { class: 'acciones' },
      ...f.notasCredito.flatMap((n) => [
        boton(`${n.serie}${n.folio} (${dinero(n.total)}): XML`, () => descargar(`/api/facturacion/notas-credito/${n.uuid}/xml`, `${n.uuid}.xml`).catch((e) => mostrarError(caja, e)), 'secundario'),
        boton(`${n.serie}${n.folio}: impresa`, () => descargar(`/api/facturacion/notas-credito/${n.uuid}/representacion`, `${n.uuid}.html`).catch((e) => mostrarError(caja, e)), 'secundario'),
      ])) : '—') },
  ]));
  await misRecibos(el);
  // GET /api/facturacion/creditos-sla → { elementos: [{ periodo, horas, umbralHoras, estado, monto, notaCreditoUuid }] }: créditos por caídas del servicio.
  const c = lista(await api.get('/api/facturacion/creditos-sla?tamano=50'));
  const ESTADOS_CREDITO = { emitido: 'Acreditado', pendiente: 'Por acreditar', no_aplica: 'Sin crédito (menor al umbral)' };
  el.append(tabla('Créditos por caídas del servicio', c, [
    { campo: 'periodo', titulo: 'Periodo' },
    { campo: 'horas', titulo: 'Horas sin servicio', formato: (v, f) => `${v} h (umbral ${f.umbralHoras} h)` },
    { campo: 'estado', titulo: 'Estado', formato: (v) => ESTADOS_CREDITO[v] ?? v },
    { campo: 'monto', titulo: 'Crédito', formato: (v) => (v == null ? '—' : dinero(v)) },
  ]));
}

// Cómo pagar: SPEI a la CLABE propia del cliente (la da GET /api/clientes/{id}/estado) y efectivo en OXXO con una
// referencia de POST /api/pagos/referencias (por el saldo de una factura o por un monto), con su ficha imprimible.
async function comoPagar(el, ctx) {
  const e = await api.get(`/api/clientes/${ctx.usuario.clienteId}/estado`);
  const clabe = e.clabe ? e.clabe.replace(/(\d{3})(\d{3})(\d{11})(\d)/, '$1 $2 $3 $4') : '—';
  el.append(
    h('section', { class: 'tarjeta', 'aria-labelledby': 'pago-spei' }, h('h3', { id: 'pago-spei' }, 'Transferencia SPEI'),
      h('p', {}, 'Su CLABE de pago (sólo suya; no necesita referencia ni concepto):'),
      h('p', { class: 'clabe' }, h('strong', {}, clabe)),
      h('ol', {},
        h('li', {}, 'En la app o el portal de su banco elija «Transferir» a otro banco (SPEI).'),
        h('li', {}, 'Escriba la CLABE de arriba; el beneficiario es Telecable.'),
        h('li', {}, 'Transfiera cualquier monto: se aplica primero a sus facturas más antiguas y el excedente queda como saldo a favor.'),
        h('li', {}, 'El pago se refleja en minutos; si su servicio estaba suspendido, se reactiva solo.'))));
  const res = h('div', { 'aria-live': 'polite' });
  const pendientes = lista(await api.get('/api/facturacion/ultimas?tamano=50')).filter((f) => f.uuid && f.estado === 'timbrada' && emitida(f));
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-labelledby': 'pago-oxxo' }, h('h3', { id: 'pago-oxxo' }, 'Efectivo en OXXO'),
    h('p', {}, 'Genere una ficha con referencia de 14 dígitos y páguela en cualquier OXXO (vence en 3 días; hasta $10,000.00 por ficha).'),
    campo('¿Qué quiere pagar?', 'facturaId', { tipo: 'select', opciones: [...pendientes.map((f) => [f.uuid, `Factura ${f.serie ?? ''}${f.folio ?? ''} (${dinero(f.total)})`]), ['', 'Otro monto (abono a mi cuenta)']] }),
    campo('Monto (sólo para «Otro monto»)', 'monto', { inputmode: 'decimal' }),
    h('button', { type: 'submit' }, 'Generar ficha OXXO'));
  let clave;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const facturaId = form.facturaId.value || null;
    if (!validarFormulario(form, facturaId ? {} : { monto: (v) => (/^\d+(\.\d{1,2})?$/.test(v.trim()) && Number(v) > 0 ? null : 'Escriba un monto mayor que 0, con a lo más 2 decimales.') })) return;
    clave ??= nuevoUuid(); // un clic repetido no genera otra ficha
    try {
      const r = await ocupado(form.querySelector('[type=submit]'), () => api.post('/api/pagos/referencias', facturaId ? { facturaId } : { monto: Number(form.monto.value) }, clave));
      clave = undefined;
      res.replaceChildren(h('div', { class: 'exito', role: 'status' },
        h('p', {}, `Ficha por ${dinero(r.monto)}: referencia `, h('strong', {}, r.referencia), `, vence ${fecha(r.venceEn)}.`),
        boton('Descargar ficha imprimible', () => descargar(r.comprobante, `ficha-oxxo-${r.referencia}.html`).catch((er) => mostrarError(res, er)), 'secundario')));
    } catch (er) { clave = undefined; mostrarError(res, er, form); }
  });
  el.append(form, res);
}

const TIPOS_MOVIMIENTO = { factura: 'Factura', pago: 'Pago', credito: 'Crédito', cargo_saldo: 'Uso de saldo', nota_credito: 'Nota de crédito' };

async function cuenta(el, ctx) {
  const caja = h('div', { 'aria-live': 'polite' });
  // GET /api/clientes/{id}/estado-de-cuenta → { saldoInicial, movimientos: [{ fecha, tipo, referencia, concepto, cargo, abono, saldo }], saldoFinal,
  //   saldoAFavor, cargosPorFacturar: [{ concepto, importe }], proximoCorte: { fecha, montoEstimado, porPagar, venceMasProximo, aviso, comoPagar } }
  const e = await api.get(`/api/clientes/${ctx.usuario.clienteId}/estado-de-cuenta`);
  const p = e.proximoCorte;
  if (p?.aviso) el.append(h('div', { class: 'error', role: 'alert' }, p.aviso));
  if (p) {
    el.append(h('dl', { class: 'kpis', 'aria-label': 'Resumen de mi cuenta' },
      h('div', {}, h('dt', {}, 'Por pagar hoy'), h('dd', {}, dinero(p.porPagar))),
      h('div', {}, h('dt', {}, 'Vence'), h('dd', {}, p.venceMasProximo ? dia(p.venceMasProximo) : '—')),
      h('div', {}, h('dt', {}, 'Próxima factura'), h('dd', {}, dia(p.fecha))),
      h('div', {}, h('dt', {}, 'Monto aproximado'), h('dd', {}, dinero(p.montoEstimado))),
      e.saldoAFavor > 0 ? h('div', {}, h('dt', {}, 'Saldo a favor'), h('dd', {}, dinero(e.saldoAFavor))) : null),
      h('p', {}, h('strong', {}, 'Cómo pagar: '), p.comoPagar, ' ', h('a', { href: '#/facturas' }, 'Pagar mis facturas con tarjeta')));
  }
  el.append(caja, h('div', { class: 'acciones' }, boton('Descargar estado de cuenta (PDF)', () =>
    descargar(`/api/clientes/${ctx.usuario.clienteId}/estado-de-cuenta?formato=pdf`, 'estado-de-cuenta.pdf').catch((er) => mostrarError(caja, er)), 'secundario')));
  el.append(tabla(`Movimientos del ${dia(e.desde)} al ${dia(e.hasta)} (saldo inicial ${dinero(e.saldoInicial)})`, e.movimientos, [
    { campo: 'fecha', titulo: 'Fecha', formato: dia },
    { campo: 'tipo', titulo: 'Tipo', formato: (v) => TIPOS_MOVIMIENTO[v] ?? v },
    { campo: 'concepto', titulo: 'Concepto' },
    { campo: 'cargo', titulo: 'Cargo', formato: (v) => (v ? dinero(v) : '') },
    { campo: 'abono', titulo: 'Abono', formato: (v) => (v ? dinero(v) : '') },
    { campo: 'saldo', titulo: 'Saldo', formato: dinero },
  ]));
  if (e.cargosPorFacturar?.length) {
    el.append(tabla('Cargos en tu próxima factura (más impuestos)', e.cargosPorFacturar, [
      { campo: 'concepto', titulo: 'Concepto' }, { campo: 'importe', titulo: 'Importe', formato: dinero }]));
  }
}

// Mi router: el cliente elige su router por su nombre (modelo, servicio y serie), nunca escribe un identificador.
async function router(el, ctx) {
  const res = h('div', { 'aria-live': 'polite' });
  // GET /api/clientes/{id}/estado → routers: [{ id, serial, modelo, contratoId, estado, reportadoEn }], contratos: [{ id, producto }]
  const e = await api.get(`/api/clientes/${ctx.usuario.clienteId}/estado`);
  const routers = e.routers ?? [];
  if (!routers.length) { el.append(h('p', { class: 'vacio' }, 'Aún no tiene un router instalado: aparecerá aquí cuando el técnico lo instale.')); return; }
  const servicio = (r) => (e.contratos ?? []).find((k) => k.id === r.contratoId)?.producto;
  const nombre = (r) => `${r.modelo ?? 'Router'}${servicio(r) ? ` de ${servicio(r)}` : ''} (serie ${r.serial})`;
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': 'Elegir router' },
    campo(routers.length > 1 ? 'Elija su router' : 'Su router', 'routerId', { tipo: 'select', opciones: routers.map((r) => [r.id, nombre(r)]) }),
    h('button', { type: 'submit', class: 'secundario' }, 'Actualizar estado'));
  const ver = async () => {
    try {
      // GET /api/router/status/{id} → { routerId, serial, modelo, tecnologia, estado, reportadoEn, firmware, uptimeSegundos, senalDbm, snrDb, comandos }
      const s = await api.get(`/api/router/status/${encodeURIComponent(form.routerId.value)}`);
      const filas = [['Estado', etiqueta(ESTADOS_ROUTER, s.estado)], ['Modelo', s.modelo], ['Serie', s.serial], ['Tecnología', s.tecnologia],
        ['Último reporte', s.reportadoEn ? fecha(s.reportadoEn) : null], ['Firmware', s.firmware],
        ['Encendido desde hace', s.uptimeSegundos != null ? `${Math.floor(s.uptimeSegundos / 3600)} h` : null],
        ['Señal', s.senalDbm != null ? `${s.senalDbm} dBm` : null], ['Relación señal/ruido', s.snrDb != null ? `${s.snrDb} dB` : null]];
      res.replaceChildren(h('dl', { class: 'kpis', 'aria-label': `Estado de ${nombre(routers.find((r) => r.id === form.routerId.value) ?? routers[0])}` },
        filas.filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, String(v))))));
    } catch (er) { mostrarError(res, er, form); }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); ocupado(form.querySelector('[type=submit]'), ver); });
  form.routerId.addEventListener('change', ver);
  el.append(form, res);
  await ver();
}

async function soporte(el, ctx) {
  // Un ticket se abre sobre un contrato del cliente (GET /api/clientes/{id}/estado → contratos) y se califica ya cerrado.
  const e = await api.get(`/api/clientes/${ctx.usuario.clienteId}/estado`);
  const contratos = (e.contratos ?? []).filter((k) => k.estado !== 'cancelado');
  const res = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': 'Abrir ticket' }, h('h3', {}, 'Abrir un ticket'),
    campo('Servicio', 'contratoId', { tipo: 'select', opciones: contratos.map((k) => [k.id, `${k.producto} (${etiqueta(ESTADOS_CONTRATO, k.estado).toLowerCase()})`]) }),
    campo('Prioridad', 'prioridad', { tipo: 'select', opciones: [['media', 'Normal'], ['alta', 'Urgente: sin servicio'], ['baja', 'Baja']] }),
    campo('Descripción', 'descripcion', { tipo: 'textarea', required: true }), h('button', { type: 'submit' }, 'Abrir ticket'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { contratoId: requerido, descripcion: requerido })) return;
    // Una clave por ticket que se está abriendo: un doble clic o un reintento repiten la misma y abren uno solo.
    form.dataset.clave ||= nuevoUuid();
    try {
      const t = await ocupado(form.querySelector('[type=submit]'), () => api.post('/api/tickets',
        { contratoId: form.contratoId.value, prioridad: form.prioridad.value, descripcion: form.descripcion.value.trim() }, form.dataset.clave));
      res.replaceChildren(h('div', { class: 'exito', role: 'status' }, `Ticket ${t.numero} abierto. `, h('a', { href: '#/mis-tickets' }, 'Ver mis tickets')));
      form.reset();
      delete form.dataset.clave;
    } catch (er) { mostrarError(res, er, form); }
  });
  const res2 = h('div', { 'aria-live': 'polite' });
  // Solo los atendidos que aún no tienen opinión (el detalle trae feedback): un ticket ya calificado no se ofrece otra vez.
  const atendidos = lista(await api.get('/api/tickets')).filter((t) => t.estado === 'cerrado' || t.estado === 'instalado').slice(0, 20);
  const calificables = (await Promise.all(atendidos.map((t) => api.get(`/api/tickets/${encodeURIComponent(t.id)}`)))).filter((t) => !t.feedback);
  const fb = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': 'Calificar la atención' }, h('h3', {}, 'Calificar la atención'),
    calificables.length
      ? campo('Ticket atendido', 'ticketId', { tipo: 'select', opciones: calificables.map((t) => [t.id, `${t.numero} · ${t.descripcion} (${etiqueta(ESTADOS_TICKET, t.estado).toLowerCase()})`]) })
      : h('p', { class: 'vacio' }, 'Cuando un técnico cierre uno de sus tickets podrá calificar la atención aquí.'),
    campo('Calificación (1 a 5)', 'calificacion', { tipo: 'select', opciones: [['5', '5 Excelente'], ['4', '4'], ['3', '3'], ['2', '2'], ['1', '1 Mala']] }),
    campo('Comentario', 'comentario', { tipo: 'textarea' }), h('button', { type: 'submit', disabled: !calificables.length }, 'Enviar opinión'));
  fb.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(fb, { ticketId: requerido })) return;
    try {
      await ocupado(fb.querySelector('[type=submit]'), () => api.post(`/api/tickets/${encodeURIComponent(fb.ticketId.value)}/feedback`,
        { calificacion: Number(fb.calificacion.value), comentario: fb.comentario.value.trim() || null }));
      fb.ticketId.querySelector(`option[value="${CSS.escape(fb.ticketId.value)}"]`)?.remove();
      if (!fb.ticketId.options.length) fb.querySelector('[type=submit]').disabled = true;
      res2.replaceChildren(h('div', { class: 'exito', role: 'status' }, '¡Gracias por su opinión!'));
    } catch (er) { mostrarError(res2, er, fb); }
  });
  el.append(res, form, res2, fb);
}

iniciarPortal({
  roles: ['cliente'],
  enlacesIngreso: enlacesIngresoCliente,
  vistas: [
    { id: 'cobertura', titulo: 'Cobertura', render: cobertura },
    { id: 'planes', titulo: 'Planes', render: planes },
    { id: 'alta', titulo: 'Contratar', render: alta },
    { id: 'seguimiento', titulo: 'Seguimiento', render: seguimiento },
    { id: 'cuenta', titulo: 'Mi cuenta', roles: ['cliente'], render: cuenta },
    { id: 'facturas', titulo: 'Mis facturas', roles: ['cliente'], render: facturas },
    { id: 'como-pagar', titulo: 'Cómo pagar', roles: ['cliente'], render: comoPagar },
    { id: 'router', titulo: 'Mi router', roles: ['cliente'], render: router },
    { id: 'soporte', titulo: 'Soporte', roles: ['cliente'], render: soporte },
    { id: 'mis-tickets', titulo: 'Mis tickets', roles: ['cliente'], render: misTickets },
    { id: 'ayuda', titulo: 'Ayuda', render: ayuda },
    // Last: the first public view is the one shown without a session.
    ...vistasCuenta,
  ],
});
