// Operaciones (admin): las cifras que vigila la guardia en las últimas horas, en gráficas (comun/graficas.js: Chart.js
// cuando cada una llega a la vista), y las alertas de Prometheus cuando hay uno configurado.
// GET /api/operaciones/resumen?horas= → { horas, muestras: [EstadoOperacion...], alertas?: [...], errorAlertas? }
import { api } from '../comun/api.js';
import { fecha, entero } from '../comun/formato.js';
import { h, tabla, anunciar } from '../comun/ui.js';
import { graficarAlVerse } from '../comun/graficas.js';

const hora = new Intl.DateTimeFormat('es-MX', { timeZone: 'America/Mexico_City', hour: '2-digit', minute: '2-digit' });
const minutos = (s) => Math.round((s ?? 0) / 6) / 10;
const COLORES = ['#0b4f8a', '#b3261e', '#1e6b34', '#8a4f0b', '#5b2a86', '#00707a', '#6b6b00', '#a0306e'];

// Cada gráfica: título, series [etiqueta, fn(muestra)], y el texto alternativo con el último valor.
const GRAFICAS = [
  { id: 'facturacion', titulo: 'Facturación: CFDI de los últimos 15 minutos y corridas fallidas', series: [
    ['CFDI timbrados (15 min)', (m) => m.cfdiTimbradas15m], ['CFDI con error (15 min)', (m) => m.cfdiFallidas15m], ['Corridas fallidas', (m) => m.corridasFallidas]] },
  { id: 'esperas', titulo: 'Esperas (minutos): lo más viejo sin atender', series: [
    ['Evento del outbox sin publicar', (m) => minutos(m.outboxRetrasoS)], ['Pago confirmado sin aplicar', (m) => minutos(m.pagosSinAplicarAntiguedadS)],
    ['Notificación pendiente', (m) => minutos(m.notificacionesAntiguedadS)], ['Corrida sin avance', (m) => minutos(m.corridaSinAvanceS)]] },
  { id: 'pendientes', titulo: 'Pendientes: outbox, pagos sin aplicar y notificaciones', series: [
    ['Eventos del outbox', (m) => m.outboxPendientes], ['Pagos sin aplicar', (m) => m.pagosSinAplicar], ['Notificaciones', (m) => m.notificacionesPendientes]] },
  { id: 'webhooks', titulo: 'Webhooks de pago de los últimos 15 minutos', series: [
    ['Recibidos', (m) => m.webhooksRecibidos15m], ['Rechazados', (m) => m.webhooksRechazados15m]] },
];

function graficaRouters(muestras) {
  const zonas = [...new Set(muestras.flatMap((m) => (m.routers ?? []).map((z) => z.zona)))].sort();
  return { id: 'routers', titulo: 'Routers fuera de línea por zona (%)', porcentaje: true,
    series: zonas.map((zona) => [zona, (m) => {
      const z = (m.routers ?? []).find((x) => x.zona === zona);
      return z && z.total ? Math.round((1000 * z.fueraDeLinea) / z.total) / 10 : null;
    }]) };
}

function alertas(r) {
  if (r.alertas === undefined || r.alertas === null) {
    return h('p', { class: 'vacio' }, 'No hay un Prometheus configurado (Operaciones__PrometheusUrl). En Azure, las alertas están en Azure Monitor.');
  }
  const caja = h('div', {});
  if (r.errorAlertas) caja.append(h('p', { class: 'aviso', role: 'status' }, r.errorAlertas));
  const estado = { firing: 'Disparada', pending: 'Pendiente' };
  caja.append(tabla('Alertas activas de Prometheus', r.alertas, [
    { campo: 'nombre', titulo: 'Alerta' }, { campo: 'estado', titulo: 'Estado', formato: (v) => estado[v] ?? v },
    { campo: 'severidad', titulo: 'Severidad' }, { campo: 'resumen', titulo: 'Resumen' }, { campo: 'desde', titulo: 'Desde', formato: fecha },
  ]));
  if (!r.alertas.length && !r.errorAlertas) caja.replaceChildren(h('p', { class: 'exito', role: 'status' }, 'Ninguna alerta activa en Prometheus.'));
  return caja;
}

function indicadores(m) {
  return h('dl', { class: 'kpis' }, [
    ['Corridas fallidas (24 h)', entero(m.corridasFallidas)], ['CFDI con error (15 min)', entero(m.cfdiFallidas15m)],
    ['Outbox sin publicar', `${entero(m.outboxPendientes)} (${minutos(m.outboxRetrasoS)} min)`],
    ['Webhooks rechazados (15 min)', `${entero(m.webhooksRechazados15m)} de ${entero(m.webhooksRecibidos15m)}`],
    ['Pagos sin aplicar', entero(m.pagosSinAplicar)], ['Notificaciones pendientes', entero(m.notificacionesPendientes)],
    ['Routers fuera de línea', `${entero((m.routers ?? []).reduce((n, z) => n + z.fueraDeLinea, 0))} de ${entero((m.routers ?? []).reduce((n, z) => n + z.total, 0))}`],
  ].map(([t, v]) => h('div', {}, h('dt', {}, t), h('dd', {}, v))));
}

function pintarGraficas(contenedor, muestras) {
  const etiquetas = muestras.map((m) => hora.format(new Date(m.tomadaEn)));
  const ultima = muestras[muestras.length - 1];
  const definiciones = [...GRAFICAS, graficaRouters(muestras)];
  const lienzos = definiciones.map((g) => {
    const resumen = g.series.map(([nombre, fn]) => `${nombre}: ${fn(ultima) ?? '—'}${g.porcentaje ? ' %' : ''}`).join('; ');
    const lienzo = h('canvas', { role: 'img', 'aria-label': `${g.titulo}. Ahora: ${resumen || 'sin datos'}` });
    contenedor.append(h('section', { class: 'tarjeta grafica', 'data-grafica': g.id, 'aria-labelledby': `g-${g.id}` },
      h('h3', { id: `g-${g.id}` }, g.titulo), h('div', { class: 'lienzo' }, lienzo)));
    return lienzo;
  });
  definiciones.forEach((g, i) => graficarAlVerse(lienzos[i], {
    type: 'line',
    data: { labels: etiquetas, datasets: g.series.map(([nombre, fn], j) => ({
      label: nombre, data: muestras.map(fn), borderColor: COLORES[j % COLORES.length], backgroundColor: COLORES[j % COLORES.length],
      pointRadius: muestras.length > 60 ? 0 : 2, borderWidth: 2, tension: 0.2, spanGaps: true })) },
    options: { animation: false, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false },
      scales: { y: { beginAtZero: true, ...(g.porcentaje ? { max: 100 } : {}) }, x: { ticks: { maxTicksLimit: 12 } } } },
  }));
}

export async function operaciones(el) {
  const form = h('form', { class: 'tarjeta acciones filtro-graficas', 'aria-label': 'Periodo de las gráficas' },
    h('div', { class: 'campo' }, h('label', { for: 'op-horas' }, 'Últimas'),
      h('select', { id: 'op-horas', name: 'horas' }, [[1, '1 hora'], [6, '6 horas'], [24, '24 horas'], [48, '48 horas']]
        .map(([v, t]) => h('option', { value: v, selected: v === 6 }, t)))),
    h('button', { type: 'submit' }, 'Actualizar'));
  const cuerpo = h('div', { 'aria-live': 'polite' });
  el.append(form, cuerpo);
  const cargar = async () => {
    const r = await api.get(`/api/operaciones/resumen?horas=${encodeURIComponent(form.horas.value)}`);
    const muestras = r.muestras ?? [];
    const ultima = muestras[muestras.length - 1];
    const graficas = h('div', { class: 'graficas' });
    cuerpo.replaceChildren(
      h('h3', {}, 'Alertas'), alertas(r),
      h('h3', {}, `Ahora (${fecha(ultima?.tomadaEn)})`), ultima ? indicadores(ultima) : h('p', { class: 'vacio' }, 'Sin datos.'),
      h('p', { class: 'ayuda' }, `${entero(muestras.length)} muestras, una por minuto (las más largas se resumen); la última es de este momento.`),
      graficas);
    pintarGraficas(graficas, muestras);
    anunciar(`Operaciones: ${r.alertas?.filter((a) => a.estado === 'firing').length ?? 0} alertas disparadas.`);
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); cargar().catch((e) => cuerpo.replaceChildren(h('div', { class: 'error', role: 'alert' }, e.message))); });
  await cargar();
}
