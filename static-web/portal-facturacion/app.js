// Portal de facturación (admin, cobranzas): KPIs, ingresos por mes (comun/graficas.js: Chart.js cuando la gráfica se ve),
// últimas facturas con sus notas de crédito (CFDI E), emitir una nota de crédito, marcar pagada, cancelar con motivo,
// corridas con avance en vivo, conciliaciones, notas de venta (recibos de clientes sin RFC) y CFDI globales a público en
// general. Los KPI vienen netos de notas de crédito e incluyen las notas de venta.
import { api, lista, nuevoUuid } from '../comun/api.js';
import { iniciarPortal } from '../comun/portal.js';
import { dinero, fecha, dia, entero } from '../comun/formato.js';
import { h, campo, tabla, mostrarError, anunciar, boton, ocupado, validarFormulario, confirmar, marcarCampo } from '../comun/ui.js';
import { requerido } from '../comun/validacion.js';
import { graficarAlVerse } from '../comun/graficas.js';
import { ESTADOS_FACTURA, ESTADOS_CONCILIACION, ORIGENES_NOTA_CREDITO, proveedor, etiqueta } from '../comun/etiquetas.js';

const folio = (f) => `${f.serie ?? ''}${f.folio ?? ''}`;

const ROLES = ['admin', 'cobranzas'];

async function indicadores(el) {
  // GET /api/facturacion/kpis → { facturado, cobrado, vencido, facturasVencidas, porMes: [{ mes, facturado, cobrado, facturas }] }
  const k = await api.get('/api/facturacion/kpis');
  const meses = k.porMes ?? [];
  const facturas = meses.reduce((n, m) => n + (m.facturas ?? 0), 0);
  el.append(h('dl', { class: 'kpis' },
    [['Facturado (neto de notas de crédito)', dinero(k.facturado)], ['Cobrado', dinero(k.cobrado)], ['Por cobrar', dinero(Number(k.facturado) - Number(k.cobrado))],
      ['Vencido', dinero(k.vencido)], ['Facturas vencidas', entero(k.facturasVencidas)], ['Facturas emitidas', entero(facturas)],
      ['Notas de crédito', dinero(k.acreditado ?? 0)],
      ['Notas de venta (en CFDI global)', `${dinero(k.recibos ?? 0)} en ${entero(meses.reduce((n, m) => n + (m.numeroRecibos ?? 0), 0))}`]]
      .map(([t, v]) => h('div', {}, h('dt', {}, t), h('dd', {}, v)))));
  if (!meses.length) { el.append(h('p', { class: 'vacio' }, 'Aún no hay facturas timbradas: inicie una corrida en «Corridas».')); return; }
  const lienzo = h('canvas', { role: 'img', 'aria-label': `Facturado y cobrado por mes: ${meses.map((m) => `${m.mes} facturado ${dinero(m.facturado)}, cobrado ${dinero(m.cobrado)}`).join('; ')}` });
  el.append(h('h3', {}, 'Facturado y cobrado por mes'), h('div', { class: 'tarjeta grafica' }, h('div', { class: 'lienzo' }, lienzo)));
  graficarAlVerse(lienzo, {
    type: 'bar',
    data: { labels: meses.map((m) => m.mes), datasets: [
      { label: 'Facturado (MXN)', data: meses.map((m) => Number(m.facturado)), backgroundColor: '#0b4f8a' },
      { label: 'Cobrado (MXN)', data: meses.map((m) => Number(m.cobrado)), backgroundColor: '#2e7d32' }] },
    options: { animation: false, maintainAspectRatio: false, plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${dinero(c.parsed.y)}` } } }, scales: { y: { ticks: { callback: (v) => dinero(v) } } } },
  });
}

async function facturas(el) {
  const caja = h('div', { 'aria-live': 'polite' });
  const pintar = async () => {
    // GET /api/facturacion/ultimas → { elementos: [{ uuid, serie, folio, clienteNombre, periodo, total, estado, fechaEmision, fechaVencimiento }] }
    const r = lista(await api.get('/api/facturacion/ultimas?tamano=50'));
    el.replaceChildren(caja, tabla('Últimas facturas', r, [
      { campo: 'serie', titulo: 'Folio', formato: (v, f) => `${v ?? ''}${f.folio ?? ''}` },
      { campo: 'clienteNombre', titulo: 'Cliente' }, { campo: 'periodo', titulo: 'Periodo' },
      { campo: 'fechaEmision', titulo: 'Emitida', formato: fecha },
      { campo: 'total', titulo: 'Total', formato: dinero },
      { campo: 'acreditado', titulo: 'Notas de crédito', formato: (v, f) => (f.notasCredito?.length
        ? h('div', {}, `${dinero(v)}: `, ...f.notasCredito.map((n) => h('a', { href: `/api/facturacion/notas-credito/${n.uuid}/representacion`, target: '_blank', rel: 'noopener' },
          `${n.serie}${n.folio} (${dinero(n.total)}, ${etiqueta(ORIGENES_NOTA_CREDITO, n.origen)}) `)))
        : '—') },
      { campo: 'estado', titulo: 'Estado', formato: (v) => etiqueta(ESTADOS_FACTURA, v) },
      { titulo: 'Acciones', celda: (f) => !f.uuid ? 'Nota de venta (ver «Notas de venta»)' : h('div', { class: 'acciones' },
        !['timbrada'].includes(f.estado) ? null : boton('Nota de crédito', () => formularioNotaCredito(f, caja, pintar), 'secundario'),
        f.estado !== 'timbrada' ? null : boton('Marcar pagada', async (ev) => {
          try { await ocupado(ev.currentTarget, () => api.patch(`/api/facturacion/${f.uuid}/pagar`, {})); anunciar('Factura marcada como pagada.'); await pintar(); } catch (e) { mostrarError(caja, e); }
        }),
        f.estado !== 'timbrada' ? null : boton('Cancelar', () => formularioCancelacion(f, caja, pintar), 'secundario'),
        // Motivo 01 (con relación) solo sustituyendo: se emite el CFDI sustituto (TipoRelacion 04) y luego se cancela éste.
        f.estado !== 'timbrada' ? null : boton('Sustituir (motivo 01)', () => formularioSustitucion(f, caja, pintar), 'secundario')) },
    ]));
  };
  await pintar();
}

function formularioNotaCredito(f, caja, alTerminar) {
  const res = h('div', {});
  const clave = nuevoUuid(); // una nota por formulario: reintentar (p. ej. tras un 503 del PAC) timbra la misma
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': `Nota de crédito de la factura ${folio(f)}` },
    h('h3', {}, `Nota de crédito de la factura ${folio(f)} de ${f.clienteNombre ?? 'el cliente'} (${dinero(f.total)})`), res,
    campo('Monto con impuestos (MXN)', 'monto', { required: true, inputmode: 'decimal', autocomplete: 'off' }),
    campo('Motivo', 'motivo', { required: true, autocomplete: 'off' }),
    campo('Tipo de relación', 'tipoRelacion', { tipo: 'select', opciones: [['01', '01 Nota de crédito de los documentos relacionados'], ['07', '07 CFDI por aplicación de anticipo']] }),
    h('div', { class: 'acciones' }, h('button', { type: 'submit' }, 'Emitir nota de crédito'), boton('Volver', () => caja.replaceChildren(), 'secundario')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { monto: (v) => (Number(v) > 0 ? null : 'Escriba un monto mayor que cero.'), motivo: requerido })) return;
    // Acreditar devuelve dinero al cliente y timbra un CFDI de egreso que no se deshace: se confirma antes.
    if (!await confirmar({ titulo: `¿Emitir una nota de crédito por ${dinero(form.monto.value)} a la factura ${folio(f)}?`,
      texto: 'Se timbra un CFDI de egreso ante el SAT; para revertirlo habría que cancelarlo.', aceptar: 'Sí, emitir la nota' })) return;
    try {
      const n = await ocupado(form.querySelector('[type=submit]'), () => api.post(`/api/facturacion/${f.uuid}/notas-credito`,
        { monto: Number(form.monto.value), motivo: form.motivo.value.trim(), tipoRelacion: form.tipoRelacion.value }, clave));
      await alTerminar();
      caja.replaceChildren(h('p', { class: 'exito', role: 'status' }, `Nota de crédito ${n.serie}${n.folio} ${n.estado === 'timbrada' ? 'timbrada' : 'registrada'} por ${dinero(n.total)}.`));
    } catch (e) { mostrarError(res, e, form); }
  });
  caja.replaceChildren(form);
  form.monto.focus();
}

function formularioCancelacion(f, caja, alTerminar) {
  const res = h('div', {});
  const clave = nuevoUuid(); // una cancelación por formulario: reintentar no la repite
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': `Cancelar la factura ${folio(f)}` },
    h('h3', {}, `Cancelar la factura ${folio(f)} de ${f.clienteNombre ?? 'el cliente'} (${dinero(f.total)})`), res,
    h('p', {}, 'Para el motivo 01 (con errores con relación) use «Sustituir»: emite el CFDI que la reemplaza y cancela ésta nombrándolo.'),
    campo('Motivo', 'motivo', { tipo: 'select', opciones: [['02', '02 Comprobante emitido con errores sin relación'], ['03', '03 No se llevó a cabo la operación'], ['04', '04 Operación nominativa relacionada en una factura global']] }),
    h('div', { class: 'acciones' }, h('button', { type: 'submit' }, 'Confirmar cancelación'), boton('Volver', () => caja.replaceChildren(), 'secundario')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, {})) return;
    try {
      const r = await ocupado(form.querySelector('[type=submit]'), () => api.post(`/api/facturacion/${f.uuid}/cancelacion`, { motivo: form.motivo.value }, clave));
      await alTerminar();
      caja.replaceChildren(h('p', { class: 'exito', role: 'status' }, r?.estado === 'cancelacion_pendiente'
        ? 'Cancelación solicitada: espera la aceptación del receptor.' : `Cancelación ${r?.estado ?? 'solicitada'}.`));
    } catch (e) { mostrarError(res, e, form); }
  });
  caja.replaceChildren(form);
  form.motivo.focus();
}

// POST /api/facturacion/{uuid}/sustitucion {nombre?, regimenFiscal?, codigoPostal?, usoCfdi?}: lo vacío se toma del cliente.
function formularioSustitucion(f, caja, alTerminar) {
  const res = h('div', {});
  const clave = nuevoUuid(); // repetir el formulario retoma el mismo sustituto
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': `Sustituir la factura ${folio(f)}` },
    h('h3', {}, `Sustituir la factura ${folio(f)} de ${f.clienteNombre ?? 'el cliente'} (${dinero(f.total)})`), res,
    h('p', {}, 'Se emite un CFDI nuevo del mismo RFC con los datos corregidos (relación 04) y esta factura se cancela con motivo 01. Deje en blanco lo que no cambia: se toma del expediente del cliente.'),
    campo('Nombre o razón social', 'nombre', { autocomplete: 'off' }),
    campo('Régimen fiscal', 'regimenFiscal', { autocomplete: 'off' }),
    campo('Código postal fiscal', 'codigoPostal', { autocomplete: 'off' }),
    campo('Uso del CFDI', 'usoCfdi', { autocomplete: 'off' }),
    h('div', { class: 'acciones' }, h('button', { type: 'submit' }, 'Emitir sustituto y cancelar'), boton('Volver', () => caja.replaceChildren(), 'secundario')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const valor = (n) => form[n].value.trim() || null;
    try {
      const r = await ocupado(form.querySelector('[type=submit]'), () => api.post(`/api/facturacion/${f.uuid}/sustitucion`,
        { nombre: valor('nombre'), regimenFiscal: valor('regimenFiscal'), codigoPostal: valor('codigoPostal'), usoCfdi: valor('usoCfdi') }, clave));
      await alTerminar();
      caja.replaceChildren(h('p', { class: 'exito', role: 'status' },
        `Sustituto ${r?.serie ?? ''}${r?.folio ?? ''} timbrado; la original quedó ${r?.estadoOriginal === 'cancelacion_pendiente' ? 'en espera de la aceptación del receptor' : 'cancelada'}.`));
    } catch (e) { mostrarError(res, e, form); }
  });
  caja.replaceChildren(form);
  form.nombre.focus();
}

const ESTADOS_CORRIDA = {
  pendiente: 'Pendiente', en_proceso: 'En proceso', completada: 'Completada',
  completada_con_errores: 'Completada con errores', fallida: 'Fallida', cancelada: 'Cancelada',
};
const estadoCorrida = (e) => ESTADOS_CORRIDA[e] ?? e;
// Las notas de venta (recibos) se emiten sin PAC: cuentan en el avance, aparte de las timbradas.
const avance = (c) => (c.total ? Math.round((100 * ((c.timbradas ?? 0) + (c.recibos ?? 0) + (c.fallidas ?? 0) + (c.canceladas ?? 0))) / c.total) : 0);
const conRecibos = (c) => (c.recibos ? `, ${entero(c.recibos)} notas de venta` : '');
const erroresPorCodigo = (c) => Object.entries(c.errores ?? {}).map(([k, n]) => `${k}: ${entero(n)}`).join(', ') || '—';

function corridas(el) {
  const res = h('div', { 'aria-live': 'polite' });
  const listado = h('div', {});
  const form = h('form', { class: 'tarjeta', novalidate: true },
    campo('Periodo (AAAA-MM)', 'periodo', { tipo: 'month', required: true }), h('button', { type: 'submit' }, 'Iniciar corrida'));
  let clave;
  const pintarLista = async () => {
    // GET /api/facturacion/corridas → { elementos: [{ id, periodo, estado, total, timbradas, fallidas, pendientes, errores, causa, iniciadaEn }], total }
    let r;
    try { r = lista(await api.get('/api/facturacion/corridas?tamano=20')); } catch (e) { mostrarError(listado, e); return; }
    listado.replaceChildren(tabla('Corridas recientes', r, [
      { campo: 'periodo', titulo: 'Periodo' },
      { campo: 'estado', titulo: 'Estado', formato: estadoCorrida },
      { titulo: 'Avance', celda: (c) => `${avance(c)} % (${entero(c.timbradas ?? 0)} de ${entero(c.total ?? 0)} timbradas${conRecibos(c)})` },
      { titulo: 'Errores por código', celda: erroresPorCodigo },
      { titulo: 'Causa', celda: (c) => c.causa?.mensaje ?? '—' },
      { campo: 'iniciadaEn', titulo: 'Iniciada', formato: fecha },
      { titulo: 'Acciones', celda: (c) => h('div', { class: 'acciones' },
        ['fallida', 'completada_con_errores'].includes(c.estado) ? boton('Reintentar', (ev) => reintentar(ev.currentTarget, c, res, pintarLista)) : null,
        ['pendiente', 'en_proceso'].includes(c.estado) ? boton('Ver avance', () => seguir(c.id, res, pintarLista), 'secundario') : null) },
    ]));
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { periodo: (v) => (/^\d{4}-\d{2}$/.test(v) ? null : 'Escriba el periodo como AAAA-MM.') })) return;
    clave ??= nuevoUuid();
    try {
      const c = await ocupado(form.querySelector('[type=submit]'), () => api.post('/api/facturacion/corridas', { periodo: form.periodo.value }, clave));
      clave = undefined;
      seguir(c.id, res, pintarLista);
    } catch (e) {
      clave = undefined;
      mostrarError(res, e, form);
      // 409: ya hay una corrida viva del periodo; se ofrece seguirla en vez de mostrar su identificador.
      const enCurso = e.status === 409 && /\/api\/facturacion\/corridas\/([0-9a-f-]{36})$/.exec(e.recurso ?? '');
      if (enCurso) res.querySelector('[role=alert]')?.append(boton('Ver la corrida en curso', () => seguir(enCurso[1], res, pintarLista), 'secundario'));
    }
  });
  el.append(form, res, listado);
  pintarLista();
}

async function reintentar(boton, c, res, alTerminar) {
  try {
    await ocupado(boton, () => api.post(`/api/facturacion/corridas/${c.id}/reintentar`, {}, nuevoUuid()));
    anunciar(`Corrida ${c.periodo} reanudada.`);
    seguir(c.id, res, alTerminar);
  } catch (e) { mostrarError(res, e); }
}

async function seguir(id, res, alTerminar) {
  const barra = h('progress', { max: '100', value: '0', 'aria-label': 'Avance de la corrida' });
  const texto = h('p', {});
  const titulo = h('h3', {}, 'Corrida');
  res.replaceChildren(h('div', { class: 'tarjeta' }, titulo, barra, texto));
  for (;;) {
    let c;
    try { c = await api.get(`/api/facturacion/corridas/${id}`); } catch (e) { mostrarError(res, e); return; }
    titulo.textContent = `Corrida de ${c.periodo}`;
    barra.value = avance(c);
    texto.textContent = `${estadoCorrida(c.estado)}: ${entero(c.timbradas ?? 0)} timbradas${conRecibos(c)}, ${entero(c.fallidas ?? 0)} con error, ${entero(c.pendientes ?? 0)} pendientes, de ${entero(c.total ?? 0)}`
      + (c.montoTimbrado != null ? `; timbrado ${dinero(c.montoTimbrado)}.` : '.')
      + (c.causa ? ` Causa: ${c.causa.mensaje}` : '');
    if (!['pendiente', 'en_proceso'].includes(c.estado) || !document.body.contains(res)) {
      if (c.estado !== 'en_proceso') barra.value = 100;
      anunciar(`Corrida ${c.periodo} ${estadoCorrida(c.estado).toLowerCase()}: ${entero(c.timbradas ?? 0)} facturas timbradas.`);
      await alTerminar?.();
      return;
    }
    await new Promise((ok) => setTimeout(ok, 1500));
  }
}

// Notas de venta: lo que se cobra a clientes que no necesitan factura; el CFDI global del mes las ampara.
async function recibos(el) {
  // GET /api/facturacion/recibos → { pagina, tamano, total, elementos: [{ id, serie, folio, clienteNombre, periodo, total, acreditado, estado, fechaEmision, cfdiGlobalUuid }] }
  const r = await api.get('/api/facturacion/recibos?tamano=50');
  el.append(h('p', {}, `${entero(r.total ?? 0)} notas de venta. No son CFDI: cada una entra como un concepto del CFDI global de su mes.`),
    tabla('Notas de venta', lista(r), [
      { campo: 'serie', titulo: 'Folio', formato: (v, f) => `${v}-${f.folio}` },
      { campo: 'clienteNombre', titulo: 'Cliente' }, { campo: 'periodo', titulo: 'Periodo' },
      { campo: 'fechaEmision', titulo: 'Emitida', formato: fecha },
      { campo: 'total', titulo: 'Total', formato: dinero },
      { campo: 'estado', titulo: 'Estado', formato: (v) => (v === 'timbrada' ? 'Emitida' : etiqueta(ESTADOS_FACTURA, v)) },
      { campo: 'cfdiGlobalUuid', titulo: 'CFDI global', formato: (v, f) => (v
        ? h('a', { href: `/api/facturacion/globales/${v}/representacion`, target: '_blank', rel: 'noopener' }, 'Ver CFDI global')
        : f.facturaUuid ? h('a', { href: `/api/facturacion/recibos/${f.id}/factura/representacion`, target: '_blank', rel: 'noopener' }, 'Facturada al cliente')
          : 'Pendiente') },
      { titulo: 'Imprimir', celda: (f) => h('a', { href: `/api/facturacion/recibos/${f.id}/representacion`, target: '_blank', rel: 'noopener' }, `Nota ${f.serie}-${f.folio}`) },
    ]));
}

const ESTADOS_GLOBAL = { sellada: 'Sellado (esperando al PAC)', timbrada: 'Timbrado', rechazada: 'Rechazado por el PAC' };

// CFDI global a XAXX010101000 «PUBLICO EN GENERAL», uno por mes cerrado (se emite solo el día 1; aquí, a mano).
function globales(el) {
  const res = h('div', { 'aria-live': 'polite' });
  const listado = h('div', {});
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': 'Emitir CFDI global' },
    h('h3', {}, 'Emitir el CFDI global de un mes cerrado'),
    campo('Periodo (AAAA-MM)', 'periodo', { tipo: 'month', required: true }), h('button', { type: 'submit' }, 'Emitir CFDI global'));
  let clave;
  const pintar = async () => {
    // GET /api/facturacion/globales → { elementos: [{ uuid, serie, folio, periodo, recibos, subtotal, iva, ieps, total, estado, fueraDePlazo, timbradoEn }] }
    let r;
    try { r = lista(await api.get('/api/facturacion/globales?tamano=24')); } catch (e) { mostrarError(listado, e); return; }
    listado.replaceChildren(r.length === 0 ? h('p', { class: 'vacio' }, 'Aún no hay CFDI globales.') : tabla('CFDI globales', r, [
      { campo: 'periodo', titulo: 'Periodo' }, { campo: 'serie', titulo: 'Folio', formato: (v, g) => `${v}-${g.folio}` },
      { campo: 'recibos', titulo: 'Notas de venta', formato: entero },
      { campo: 'iva', titulo: 'IVA', formato: dinero }, { campo: 'total', titulo: 'Total', formato: dinero },
      { campo: 'estado', titulo: 'Estado', formato: (v, g) => `${ESTADOS_GLOBAL[v] ?? v}${g.fueraDePlazo ? ' (fuera de plazo)' : ''}` },
      { campo: 'timbradoEn', titulo: 'Timbrado', formato: (v) => (v ? fecha(v) : '—') },
      { campo: 'uuid', titulo: 'Comprobante', formato: (v, g) => (v ? h('span', {},
        h('a', { href: `/api/facturacion/globales/${v}/representacion`, target: '_blank', rel: 'noopener' }, `Impreso ${g.serie}-${g.folio}`), ' · ',
        h('a', { href: `/api/facturacion/globales/${v}/xml` }, 'XML')) : '—') },
    ]));
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { periodo: (v) => (/^\d{4}-\d{2}$/.test(v) ? null : 'Escriba el periodo como AAAA-MM.') })) return;
    clave ??= nuevoUuid(); // reintentar tras un 503 del PAC timbra el mismo CFDI
    try {
      const g = await ocupado(form.querySelector('[type=submit]'), () => api.post('/api/facturacion/globales', { periodo: form.periodo.value }, clave));
      clave = undefined;
      res.replaceChildren(h('p', { class: 'exito', role: 'status' }, `CFDI global ${g.serie}-${g.folio} de ${g.periodo}: ${ESTADOS_GLOBAL[g.estado] ?? g.estado}, ${entero(g.recibos)} notas de venta, ${dinero(g.total)}.`));
      await pintar();
    } catch (e) { mostrarError(res, e, form); }
  });
  el.append(form, res, listado);
  pintar();
}

const TIPOS_HALLAZGO = {
  faltante_en_sistema: 'El proveedor liquidó un pago que aquí no existe',
  faltante_en_pasarela: 'Pago registrado que el proveedor no liquidó',
  diferencia_monto: 'Monto distinto',
  duplicado_en_reporte: 'Reportado dos veces por el proveedor',
  comision: 'Comisiones del proveedor (depositado contra cobrado)',
};
const RESOLUCIONES = { aceptado: 'Aceptado', en_investigacion: 'En investigación' };

async function conciliaciones(el) {
  const detalle = h('div', { 'aria-live': 'polite' });
  // GET /api/pagos/conciliaciones → [{ id, gateway, periodo, estado, coincidencias, faltantesSistema, faltantesPasarela, diferenciasMonto, duplicadosReporte, ejecutadaEn, archivo, montoBruto, comisiones, montoNeto }]
  el.append(tabla('Conciliaciones de pagos (liquidaciones de cada proveedor)', lista(await api.get('/api/pagos/conciliaciones')), [
    { campo: 'periodo', titulo: 'Día', formato: (v) => dia(String(v).slice(0, 10)) }, { campo: 'gateway', titulo: 'Proveedor', formato: proveedor }, { campo: 'estado', titulo: 'Estado', formato: (v) => etiqueta(ESTADOS_CONCILIACION, v) },
    { campo: 'coincidencias', titulo: 'Coincidencias', formato: entero },
    { campo: 'faltantesSistema', titulo: 'Diferencias', formato: (v, f) => entero((v ?? 0) + (f.faltantesPasarela ?? 0) + (f.diferenciasMonto ?? 0) + (f.duplicadosReporte ?? 0)) },
    { campo: 'comisiones', titulo: 'Comisiones', formato: (v) => dinero(v ?? 0) },
    { campo: 'montoNeto', titulo: 'Depositado', formato: (v) => dinero(v ?? 0) },
    { campo: 'ejecutadaEn', titulo: 'Ejecutada', formato: fecha },
    { titulo: 'Acciones', celda: (c) => boton('Ver hallazgos', () => hallazgos(c.id, detalle), 'secundario') },
  ]), detalle);
}

// Cada hallazgo se acepta (diferencia entendida: comisión, redondeo, liquidación tardía) o se manda a investigar.
async function hallazgos(id, caja) {
  let c;
  try { c = await api.get(`/api/pagos/conciliaciones/${id}`); } catch (e) { mostrarError(caja, e); return; }
  const resolver = async (ev, hz, accion) => {
    try {
      await ocupado(ev.currentTarget, () => api.post(`/api/pagos/conciliaciones/${id}/hallazgos/${hz.id}/resolucion`, { accion }, nuevoUuid()));
      anunciar(accion === 'aceptar' ? 'Hallazgo aceptado.' : 'Hallazgo enviado a investigación.');
      await hallazgos(id, caja);
    } catch (e) { mostrarError(caja, e); }
  };
  const filas = c.hallazgos ?? [];
  caja.replaceChildren(
    h('h3', {}, `Hallazgos de ${proveedor(c.gateway)}, ${dia(String(c.periodo).slice(0, 10))}${c.archivo ? ` (archivo ${c.archivo})` : ''}`),
    filas.length === 0 ? h('p', { class: 'vacio' }, 'Sin diferencias: todo coincide.') : tabla('Hallazgos', filas, [
      { campo: 'tipo', titulo: 'Tipo', formato: (v) => TIPOS_HALLAZGO[v] ?? v },
      // La referencia es del proveedor (p. ej. pi_…): se muestra tal cual, no como un código por traducir.
      { campo: 'referencia', titulo: 'Referencia', formato: (v) => v ?? '—' },
      { campo: 'montoPasarela', titulo: 'Monto del proveedor', formato: (v) => (v == null ? '—' : dinero(v)) },
      { campo: 'montoSistema', titulo: 'Monto registrado', formato: (v) => (v == null ? '—' : dinero(v)) },
      { campo: 'resolucion', titulo: 'Resolución', formato: (v) => RESOLUCIONES[v] ?? 'Pendiente' },
      { titulo: 'Acciones', celda: (hz) => h('div', { class: 'acciones' },
        hz.resolucion === 'aceptado' ? null : boton('Aceptar', (ev) => resolver(ev, hz, 'aceptar')),
        hz.resolucion === 'en_investigacion' ? null : boton('Investigar', (ev) => resolver(ev, hz, 'investigar'), 'secundario')) },
    ]));
}

// Estados de cuenta: transferencias que llegan a la cuenta propia fuera del agregador (CSV de BBVA/Banorte). Las líneas
// cuya referencia es el folio de una factura abierta por su saldo exacto se aplican solas; las demás se asignan aquí.
async function estadosDeCuenta(el) {
  const res = h('div', { 'aria-live': 'polite' });
  const listado = h('div', {});
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': 'Importar estado de cuenta' }, h('h3', {}, 'Importar estado de cuenta'),
    campo('Banco', 'banco', { tipo: 'select', opciones: [['bbva', 'BBVA'], ['banorte', 'Banorte'], ['santander', 'Santander'], ['banamex', 'Banamex']] }),
    h('div', { class: 'campo' }, h('label', { for: 'c-archivo' }, 'Archivo CSV del estado de cuenta'),
      h('p', { class: 'ayuda', id: 'c-archivo-ayuda' }, 'Columnas: Fecha, Concepto, Referencia, Cargo, Abono, Saldo.'),
      h('input', { type: 'file', id: 'c-archivo', name: 'archivo', accept: '.csv,text/csv', required: true, 'aria-describedby': 'c-archivo-ayuda' })),
    h('button', { type: 'submit' }, 'Importar'));
  const pintar = async () => {
    let r;
    try { r = lista(await api.get('/api/pagos/movimientos-bancarios/pendientes?tamano=100')); } catch (e) { mostrarError(listado, e); return; }
    listado.replaceChildren(r.length === 0 ? h('p', { class: 'vacio' }, 'No hay abonos por asignar.') : tabla('Abonos por asignar', r, [
      { campo: 'fecha', titulo: 'Fecha', formato: (v) => dia(String(v).slice(0, 10)) }, { campo: 'banco', titulo: 'Banco' },
      { campo: 'concepto', titulo: 'Concepto' }, { campo: 'referencia', titulo: 'Referencia', formato: (v) => v ?? '—' }, { campo: 'monto', titulo: 'Monto', formato: dinero },
      { titulo: 'Asignar a cliente', celda: (m) => {
        // Se elige al cliente por su nombre, RFC o número (GET /api/clientes?buscar=): nadie escribe un identificador.
        const f = h('form', { class: 'acciones asignar-abono', novalidate: true, 'aria-label': `Asignar el abono ${m.referencia}` },
          campo('Cliente (nombre, RFC o número)', 'cliente', { required: true, autocomplete: 'off', ayuda: 'Escriba al menos 2 letras y elija de la lista.' }),
          h('button', { type: 'submit' }, 'Asignar'));
        const sugerencias = h('datalist', { id: `clientes-${m.id}` });
        f.cliente.setAttribute('list', sugerencias.id);
        f.append(sugerencias);
        const encontrados = new Map();
        const nombreCliente = (c) => `${c.nombre} · ${c.rfc ?? ''}${c.numeroCliente ? ` · núm. ${c.numeroCliente}` : ''}`;
        const buscar = async (texto) => {
          const r = lista(await api.get(`/api/clientes?buscar=${encodeURIComponent(texto)}&tamano=10`));
          for (const c of r) encontrados.set(nombreCliente(c), c.id);
          sugerencias.replaceChildren(...r.map((c) => h('option', { value: nombreCliente(c) })));
          return r;
        };
        let espera;
        f.cliente.addEventListener('input', () => {
          clearTimeout(espera);
          const t = f.cliente.value.trim();
          if (t.length >= 2 && !encontrados.has(t)) espera = setTimeout(() => buscar(t).catch(() => { /* se reintenta al enviar */ }), 300);
        });
        const clave = nuevoUuid();
        f.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          if (!validarFormulario(f, { cliente: (v) => (v.trim().length >= 2 ? null : 'Escriba al menos 2 letras del nombre, el RFC o el número.') })) return;
          try {
            const t = f.cliente.value.trim();
            let clienteId = encontrados.get(t);
            if (!clienteId) {
              const r = await ocupado(f.querySelector('[type=submit]'), () => buscar(t));
              if (r.length !== 1) {
                marcarCampo(f.cliente, r.length ? `Hay ${r.length} clientes que coinciden: elija uno de la lista.` : 'Ningún cliente coincide.');
                f.cliente.focus();
                return;
              }
              clienteId = r[0].id;
            }
            await ocupado(f.querySelector('[type=submit]'), () => api.post(`/api/pagos/movimientos-bancarios/${m.id}/asignacion`, { clienteId }, clave));
            anunciar('Abono asignado: se aplicará en unos segundos.');
            await pintar();
          } catch (e) { mostrarError(res, e, f); }
        });
        return f;
      } },
    ]));
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const archivo = form.archivo.files?.[0];
    if (!archivo) { mostrarError(res, new Error('Elija el archivo CSV del banco.')); return; }
    try {
      const r = await ocupado(form.querySelector('[type=submit]'), async () => api.post('/api/pagos/estados-de-cuenta', { banco: form.banco.value, contenido: await archivo.text() }, nuevoUuid()));
      res.replaceChildren(h('p', { class: 'exito', role: 'status' }, `${entero(r.abonos)} abonos: ${entero(r.aplicados)} aplicados, ${entero(r.pendientes)} por asignar, ${entero(r.repetidos)} ya importados, ${entero(r.yaRegistrados ?? 0)} ya registrados por SPEI.`));
      await pintar();
    } catch (e) { mostrarError(res, e, form); }
  });
  el.append(form, res, listado);
  await pintar();
}

iniciarPortal({
  roles: ROLES,
  vistas: [
    { id: 'indicadores', titulo: 'Indicadores', roles: ROLES, render: indicadores },
    { id: 'facturas', titulo: 'Facturas', roles: ROLES, render: facturas },
    { id: 'corridas', titulo: 'Corridas', roles: ROLES, render: corridas },
    { id: 'recibos', titulo: 'Notas de venta', roles: ROLES, render: recibos },
    { id: 'globales', titulo: 'CFDI globales', roles: ROLES, render: globales },
    { id: 'conciliaciones', titulo: 'Conciliaciones', roles: ROLES, render: conciliaciones },
    { id: 'estados-de-cuenta', titulo: 'Estados de cuenta', roles: ROLES, render: estadosDeCuenta },
  ],
});
