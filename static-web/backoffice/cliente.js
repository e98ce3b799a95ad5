// La página de un cliente en el backoffice (#/cliente-<id>): sus datos y saldo, contratos (suspender y reactivar con
// confirmación), routers (reinicio con confirmación), tickets, facturas y pagos (estado de cuenta) y su línea de tiempo.
import { api, lista, nuevoUuid } from '../comun/api.js';
import { fecha, dia, dinero, entero } from '../comun/formato.js';
import {
  ESTADOS_TICKET_PERSONAL, TIPOS_TICKET, PRIORIDADES, ESTADOS_CLIENTE, ESTADOS_CONTRATO, ESTADOS_ROUTER, MOVIMIENTOS_CUENTA, EVENTOS_CLIENTE, etiqueta,
} from '../comun/etiquetas.js';
import { h, tabla, mostrarError, anunciar, ocupado, confirmar } from '../comun/ui.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const clavesReinicio = {};

/** Reinicio de un router con confirmación; la Idempotency-Key se guarda hasta que el servidor responde (un reintento no pide otro). */
export async function reiniciarRouter(serial, routerId, boton, caja) {
  const ok = await confirmar({ titulo: `¿Reiniciar el router ${serial}?`, texto: 'El cliente se queda sin internet uno o dos minutos mientras el router reinicia.', aceptar: 'Sí, reiniciar' });
  if (!ok) { boton.focus(); return; }
  clavesReinicio[routerId] ??= nuevoUuid();
  try {
    // POST /api/router/{id}/reset → 202 { estado: pendiente, ... }: el router lo recoge en su próximo reporte.
    await ocupado(boton, () => api.post(`/api/router/${encodeURIComponent(routerId)}/reset`, {}, clavesReinicio[routerId]));
    delete clavesReinicio[routerId];
    const texto = `Reinicio solicitado para ${serial}: el router lo recibe en su próximo reporte.`;
    caja.replaceChildren(h('p', { class: 'exito', role: 'status' }, texto));
    anunciar(texto);
  } catch (e) { mostrarError(caja, e); }
}

async function cambiarContrato(k, accion, boton, caja, repintar) {
  const suspender = accion === 'suspender';
  const ok = await confirmar(suspender
    ? { titulo: `¿Suspender ${k.producto}?`, texto: 'El cliente se queda sin servicio hasta que se reactive.', aceptar: 'Sí, suspender' }
    : { titulo: `¿Reactivar ${k.producto}?`, texto: 'El servicio vuelve a funcionar y se factura desde hoy.', aceptar: 'Sí, reactivar' });
  if (!ok) { boton.focus(); return; }
  try {
    // PATCH /api/contratos/{id} { accion, version }: la versión evita pisar un cambio que otra persona hizo antes.
    await ocupado(boton, () => api.patch(`/api/contratos/${encodeURIComponent(k.id)}`, { accion, version: k.version }));
    await repintar(`${k.producto}: ${suspender ? 'suspendido' : 'reactivado'}.`);
  } catch (e) { mostrarError(caja, e); }
}

function accionesContrato(k, caja, repintar) {
  if (k.estado === 'activo') return h('button', { type: 'button', class: 'peligro', onclick: (ev) => cambiarContrato(k, 'suspender', ev.currentTarget, caja, repintar) }, `Suspender ${k.producto}`);
  if (k.estado === 'suspendido') return h('button', { type: 'button', onclick: (ev) => cambiarContrato(k, 'reactivar', ev.currentTarget, caja, repintar) }, `Reactivar ${k.producto}`);
  return '—';
}

const textoEvento = (e) => {
  const d = e.datos ?? {};
  const partes = [etiqueta(EVENTOS_CLIENTE, e.tipo)];
  if (d.numero) partes.push(`ticket ${d.numero}`);
  if (d.serie && d.folio) partes.push(`${d.serie}-${d.folio}`);
  if (d.datos?.estado) partes.push(etiqueta(ESTADOS_TICKET_PERSONAL, d.datos.estado));
  return partes.join(' · ');
};

async function lineaDeTiempo(id) {
  // GET /api/clientes/{id}/linea-tiempo → página de { tipo, actor, createdAt, datos }, lo más reciente primero.
  const eventos = lista(await api.get(`/api/clientes/${encodeURIComponent(id)}/linea-tiempo?tamano=30`));
  return h('section', { 'aria-labelledby': 'titulo-linea' }, h('h3', { id: 'titulo-linea' }, 'Línea de tiempo'),
    eventos.length ? h('ol', { class: 'historial' }, eventos.map((e) => h('li', {},
      h('strong', {}, fecha(e.createdAt)), ` · ${textoEvento(e)}`, e.actor && !UUID.test(e.actor) ? ` · por ${e.actor}` : '')))
      : h('p', { class: 'vacio' }, 'Aún no hay eventos en la cuenta.'));
}

async function estadoDeCuenta(id) {
  // GET /api/clientes/{id}/estado-de-cuenta → { movimientos: [{ fecha, tipo, referencia, concepto, cargo, abono, saldo }], saldoFinal, ... }
  const e = await api.get(`/api/clientes/${encodeURIComponent(id)}/estado-de-cuenta`);
  const movs = e.movimientos ?? [];
  const columnas = [
    { campo: 'fecha', titulo: 'Fecha', formato: dia }, { campo: 'referencia', titulo: 'Folio o referencia' }, { campo: 'concepto', titulo: 'Concepto' },
  ];
  return h('div', {},
    tabla('Facturas', movs.filter((m) => m.tipo === 'factura'), [...columnas, { campo: 'cargo', titulo: 'Importe', formato: dinero }]),
    tabla('Pagos', movs.filter((m) => m.tipo === 'pago'), [...columnas, { campo: 'abono', titulo: 'Monto', formato: dinero }]),
    tabla(`Estado de cuenta del ${dia(e.desde)} al ${dia(e.hasta)}`, movs, [
      { campo: 'fecha', titulo: 'Fecha', formato: dia }, { campo: 'tipo', titulo: 'Movimiento', formato: (v) => etiqueta(MOVIMIENTOS_CUENTA, v) },
      { campo: 'concepto', titulo: 'Concepto' }, { campo: 'cargo', titulo: 'Cargo', formato: dinero }, { campo: 'abono', titulo: 'Abono', formato: dinero },
      { campo: 'saldo', titulo: 'Saldo', formato: dinero }]));
}

/** #/cliente-<id>: GET /api/clientes/{id}/estado → { cliente, contratos, saldo, routers, ticketsAbiertos } y lo demás en paralelo. */
export async function paginaCliente(el, id) {
  const [e, cuenta, linea] = await Promise.all([
    api.get(`/api/clientes/${encodeURIComponent(id)}/estado`),
    estadoDeCuenta(id).catch((err) => { const c = h('div', {}); mostrarError(c, err); return c; }),
    lineaDeTiempo(id).catch((err) => { const c = h('div', {}); mostrarError(c, err); return c; }),
  ]);
  const c = e.cliente;
  const caja = h('div', { 'aria-live': 'polite', id: 'resultado-cliente' });
  const repintar = async (mensaje) => {
    el.replaceChildren();
    await paginaCliente(el, id);
    document.getElementById('resultado-cliente')?.replaceChildren(h('p', { class: 'exito', role: 'status' }, mensaje));
    anunciar(mensaje);
  };
  el.append(
    h('h3', {}, c.nombre),
    h('dl', { class: 'kpis' },
      [['Número de cliente', c.numeroCliente], ['RFC', c.rfc], ['Correo', c.email], ['Teléfono', c.telefono], ['Estado', etiqueta(ESTADOS_CLIENTE, c.estado)],
        ['Por pagar', dinero(e.saldo?.saldoPorPagar ?? 0)], ['Facturas pendientes', entero(e.saldo?.numeroFacturasPendientes ?? 0)], ['Saldo a favor', dinero(e.saldo?.saldoAFavor ?? 0)]]
        .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v ?? '—')))),
    caja,
    tabla('Contratos', e.contratos ?? [], [
      { campo: 'producto', titulo: 'Producto' }, { campo: 'precioPactado', titulo: 'Precio pactado', formato: dinero },
      { campo: 'fechaActivacion', titulo: 'Activo desde', formato: dia }, { campo: 'diaCorte', titulo: 'Día de corte' },
      { campo: 'estado', titulo: 'Estado', formato: (v) => etiqueta(ESTADOS_CONTRATO, v) },
      { titulo: 'Acción', celda: (k) => accionesContrato(k, caja, repintar) }]),
    tabla('Routers del cliente', e.routers ?? [], [
      { campo: 'serial', titulo: 'Serie' }, { campo: 'modelo', titulo: 'Modelo' },
      { campo: 'estado', titulo: 'Estado', formato: (v) => (v ? etiqueta(ESTADOS_ROUTER, v) : 'Sin reporte') },
      { campo: 'reportadoEn', titulo: 'Último reporte', formato: fecha },
      { titulo: 'Acción', celda: (r) => h('button', { type: 'button', class: 'secundario', onclick: (ev) => reiniciarRouter(r.serial, r.id, ev.currentTarget, caja) }, `Reiniciar ${r.serial}`) }]),
    tabla('Tickets abiertos del cliente', e.ticketsAbiertos ?? [], [
      { titulo: 'Ticket', celda: (t) => (t.tipo === 'instalacion' ? `Ticket ${t.numero}` : h('a', { href: `#/ticket-${t.id}` }, `Ticket ${t.numero}`)) },
      { campo: 'tipo', titulo: 'Tipo', formato: (v) => etiqueta(TIPOS_TICKET, v) }, { campo: 'prioridad', titulo: 'Prioridad', formato: (v) => etiqueta(PRIORIDADES, v) },
      { campo: 'estado', titulo: 'Estado', formato: (v) => etiqueta(ESTADOS_TICKET_PERSONAL, v) }, { campo: 'fechaProgramada', titulo: 'Programado', formato: dia },
      { campo: 'descripcion', titulo: 'Descripción' }]),
    cuenta, linea);
}
