// Portal de facturación (admin, cobranzas): KPIs, ingresos por mes (Chart.js servido desde /vendor),
// últimas facturas, marcar pagada, cancelar con motivo, corridas con avance en vivo, conciliaciones.
import { api, lista, nuevoUuid } from '../comun/api.js';
import { iniciarPortal } from '../comun/portal.js';
import { dinero, fecha, entero } from '../comun/formato.js';
import { h, campo, tabla, mostrarError, anunciar, boton, ocupado, validarFormulario } from '../comun/ui.js';
import { requerido } from '../comun/validacion.js';

const ROLES = ['admin', 'cobranzas'];

let chartJs;
const cargarChart = () => (chartJs ??= new Promise((ok, mal) => {
  const s = h('script', { src: '/vendor/chart.umd.min.js' });
  s.onload = () => ok(window.Chart); s.onerror = () => mal(new Error('No se pudo cargar la gráfica.'));
  document.head.append(s);
}));

async function indicadores(el) {
  const k = await api.get('/api/facturacion/kpis');
  const etiquetas = { facturadoMes: 'Facturado en el mes', cobradoMes: 'Cobrado en el mes', porCobrar: 'Por cobrar', vencido: 'Vencido', facturasEmitidas: 'Facturas emitidas', facturasPendientes: 'Facturas pendientes' };
  const esDinero = (c) => /facturado|cobrado|cobrar|vencido|ingreso|monto|saldo/i.test(c);
  el.append(h('dl', { class: 'kpis' }, Object.entries(k).filter(([, v]) => typeof v !== 'object').map(([c, v]) =>
    h('div', {}, h('dt', {}, etiquetas[c] ?? c), h('dd', {}, esDinero(c) ? dinero(v) : entero(v))))));
  const meses = lista(k.ingresosPorMes ?? k.porMes ?? []);
  if (!meses.length) return;
  const lienzo = h('canvas', { role: 'img', 'aria-label': `Ingresos por mes: ${meses.map((m) => `${m.mes ?? m.periodo} ${dinero(m.total ?? m.monto)}`).join('; ')}` });
  el.append(h('h3', {}, 'Ingresos por mes'), h('div', { class: 'tarjeta' }, lienzo));
  const Chart = await cargarChart();
  new Chart(lienzo, {
    type: 'bar',
    data: { labels: meses.map((m) => m.mes ?? m.periodo), datasets: [{ label: 'Ingresos (MXN)', data: meses.map((m) => Number(m.total ?? m.monto)), backgroundColor: '#0b4f8a' }] },
    options: { plugins: { tooltip: { callbacks: { label: (c) => dinero(c.parsed.y) } } }, scales: { y: { ticks: { callback: (v) => dinero(v) } } } },
  });
}

async function facturas(el) {
  const caja = h('div', { 'aria-live': 'polite' });
  const pintar = async () => {
    const r = lista(await api.get('/api/facturacion/ultimas'));
    el.replaceChildren(caja, tabla('Últimas facturas', r, [
      { campo: 'serie', titulo: 'Folio', formato: (v, f) => `${v ?? ''}${f.folio ?? ''}` },
      { campo: 'receptor', titulo: 'Cliente', formato: (v, f) => v?.nombre ?? f.clienteNombre ?? f.rfc ?? '—' },
      { campo: 'fecha', titulo: 'Fecha', formato: (v, f) => fecha(v ?? f.fechaEmision) },
      { campo: 'total', titulo: 'Total', formato: dinero }, { campo: 'estado', titulo: 'Estado' },
      { titulo: 'Acciones', celda: (f) => h('div', { class: 'acciones' },
        f.estado === 'pagada' || f.estado === 'cancelada' ? null : boton('Marcar pagada', async (ev) => {
          try { await ocupado(ev.currentTarget, () => api.patch(`/api/facturacion/${f.uuid}/pagar`, {})); anunciar('Factura marcada como pagada.'); await pintar(); } catch (e) { mostrarError(caja, e); }
        }),
        f.estado === 'cancelada' ? null : boton('Cancelar', () => formularioCancelacion(f, caja, pintar), 'secundario')) },
    ]));
  };
  await pintar();
}

function formularioCancelacion(f, caja, alTerminar) {
  const res = h('div', {});
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': `Cancelar la factura ${f.uuid}` },
    h('h3', {}, `Cancelar ${f.serie ?? ''}${f.folio ?? ''} (${f.uuid})`), res,
    campo('Motivo', 'motivo', { tipo: 'select', opciones: [['02', '02 Comprobante emitido con errores sin relación'], ['01', '01 Comprobante emitido con errores con relación'], ['03', '03 No se llevó a cabo la operación'], ['04', '04 Operación nominativa relacionada en una factura global']] }),
    campo('Folio fiscal de sustitución (motivo 01)', 'folioSustitucion', { autocomplete: 'off' }),
    h('div', { class: 'acciones' }, h('button', { type: 'submit' }, 'Confirmar cancelación'), boton('Volver', () => caja.replaceChildren(), 'secundario')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, form.motivo.value === '01' ? { folioSustitucion: requerido } : {})) return;
    try {
      const r = await api.post(`/api/facturacion/${f.uuid}/cancelacion`, { motivo: form.motivo.value, folioSustitucion: form.folioSustitucion.value.trim() || null });
      await alTerminar();
      caja.replaceChildren(h('p', { class: 'exito', role: 'status' }, `Cancelación ${r?.estado ?? 'solicitada'}.`));
    } catch (e) { mostrarError(res, e, form); }
  });
  caja.replaceChildren(form);
  form.motivo.focus();
}

function corridas(el) {
  const res = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'tarjeta', novalidate: true },
    campo('Periodo (AAAA-MM)', 'periodo', { tipo: 'month', required: true }), h('button', { type: 'submit' }, 'Iniciar corrida'));
  let clave;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { periodo: (v) => (/^\d{4}-\d{2}$/.test(v) ? null : 'Escriba el periodo como AAAA-MM.') })) return;
    clave ??= nuevoUuid();
    try {
      const c = await ocupado(form.querySelector('[type=submit]'), () => api.post('/api/facturacion/corridas', { periodo: form.periodo.value }, clave));
      clave = undefined;
      seguir(c.id, res);
    } catch (e) { mostrarError(res, e, form); }
  });
  el.append(form, res);
}

async function seguir(id, res) {
  const barra = h('progress', { max: '100', value: '0', 'aria-label': 'Avance de la corrida' });
  const texto = h('p', {});
  res.replaceChildren(h('div', { class: 'tarjeta' }, h('h3', {}, `Corrida ${id}`), barra, texto));
  for (;;) {
    let c;
    try { c = await api.get(`/api/facturacion/corridas/${id}`); } catch (e) { mostrarError(res, e); return; }
    const total = c.total ?? c.totalFacturas ?? 0;
    const hechas = (c.timbradas ?? c.procesadas ?? 0) + (c.fallidas ?? 0);
    barra.value = total ? Math.round((100 * hechas) / total) : 0;
    texto.textContent = `${c.estado}: ${entero(c.timbradas ?? c.procesadas ?? 0)} timbradas, ${entero(c.fallidas ?? 0)} con error, de ${entero(total)}.`;
    if (!['pendiente', 'en_proceso', 'corriendo', 'iniciada', 'Running', 'Pending'].includes(c.estado) || !document.body.contains(res)) {
      anunciar(`Corrida ${c.estado}.`);
      return;
    }
    await new Promise((ok) => setTimeout(ok, 1500));
  }
}

async function conciliaciones(el) {
  el.append(tabla('Conciliaciones de pagos', lista(await api.get('/api/pagos/conciliaciones')), [
    { campo: 'fecha', titulo: 'Fecha', formato: (v, f) => fecha(v ?? f.ejecutadaEn) }, { campo: 'conciliados', titulo: 'Conciliados', formato: entero },
    { campo: 'diferencias', titulo: 'Diferencias', formato: (v) => (Array.isArray(v) ? entero(v.length) : entero(v)) },
    { campo: 'montoConciliado', titulo: 'Monto', formato: dinero }, { campo: 'estado', titulo: 'Estado' },
  ]));
}

iniciarPortal({
  roles: ROLES,
  vistas: [
    { id: 'indicadores', titulo: 'Indicadores', roles: ROLES, render: indicadores },
    { id: 'facturas', titulo: 'Facturas', roles: ROLES, render: facturas },
    { id: 'corridas', titulo: 'Corridas', roles: ROLES, render: corridas },
    { id: 'conciliaciones', titulo: 'Conciliaciones', roles: ROLES, render: conciliaciones },
  ],
});
