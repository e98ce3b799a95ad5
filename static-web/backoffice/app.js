// Backoffice (admin, soporte): clientes con búsqueda y páginas, estado completo de un cliente, tickets,
// flota de routers por estado (con reinicio), notificaciones, eventos del sistema y (admin) operaciones.
import { api, lista, nuevoUuid } from '../comun/api.js';
import { iniciarPortal } from '../comun/portal.js';
import { fecha, dia, dinero, entero } from '../comun/formato.js';
import { h, campo, tabla, mostrarError, anunciar, boton, ocupado } from '../comun/ui.js';
import { operaciones } from './operaciones.js';

const PERSONAL = ['admin', 'soporte'];

function clientes(el) {
  const res = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'tarjeta', role: 'search', 'aria-label': 'Buscar clientes' },
    campo('Buscar (nombre, RFC, correo; 2 letras o más)', 'buscar', { tipo: 'search' }), campo('Zona (clave, p. ej. MTY_CENTRO)', 'zona'),
    campo('Estado', 'estado', { tipo: 'select', opciones: [['', 'Todos'], ['activo', 'Activo'], ['suspendido', 'Suspendido'], ['baja', 'Baja']] }),
    h('button', { type: 'submit' }, 'Buscar'));
  let pagina = 1;
  const cargar = async () => {
    // GET /api/clientes?buscar=&zona=&estado=&pagina= → { pagina, tamano, total, elementos }; los filtros vacíos no se envían.
    const q = new URLSearchParams({ pagina });
    for (const n of ['buscar', 'zona', 'estado']) if (form[n].value.trim()) q.set(n, form[n].value.trim());
    try {
      const r = await api.get(`/api/clientes?${q}`);
      const filas = lista(r);
      const total = r.total;
      const porPagina = r.tamano;
      res.replaceChildren(tabla(`Clientes (página ${pagina}, ${entero(total)} en total)`, filas, [
        { campo: 'nombre', titulo: 'Nombre', celda: (f) => h('a', { href: `#/cliente-${f.id}` }, f.nombre ?? f.id) },
        { campo: 'numeroCliente', titulo: 'Número' }, { campo: 'rfc', titulo: 'RFC' }, { campo: 'zonaClave', titulo: 'Zona' }, { campo: 'estado', titulo: 'Estado' },
      ]), h('div', { class: 'acciones' },
        h('button', { type: 'button', class: 'secundario', disabled: pagina <= 1, onclick: () => { pagina--; cargar(); } }, 'Página anterior'),
        h('button', { type: 'button', class: 'secundario', disabled: pagina * porPagina >= total, onclick: () => { pagina++; cargar(); } }, 'Página siguiente')));
      anunciar(`${entero(total)} clientes encontrados.`);
    } catch (e) { mostrarError(res, e, form); }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); pagina = 1; cargar(); });
  el.append(form, res);
  cargar();
}

async function estadoCliente(el, id) {
  // GET /api/clientes/{id}/estado → { cliente, contratos, saldo: { saldoPorPagar, saldoAFavor, ... }, routers, ticketsAbiertos }
  const e = await api.get(`/api/clientes/${encodeURIComponent(id)}/estado`);
  const c = e.cliente;
  el.append(h('dl', { class: 'kpis' },
    [['Nombre', c.nombre], ['Número de cliente', c.numeroCliente], ['RFC', c.rfc], ['Correo', c.email], ['Teléfono', c.telefono], ['Estado', c.estado],
      ['Por pagar', dinero(e.saldo?.saldoPorPagar ?? 0)], ['Facturas pendientes', entero(e.saldo?.numeroFacturasPendientes ?? 0)], ['Saldo a favor', dinero(e.saldo?.saldoAFavor ?? 0)]]
      .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v ?? '—')))),
  tabla('Contratos', e.contratos ?? [], [{ campo: 'producto', titulo: 'Producto' }, { campo: 'zonaClave', titulo: 'Zona' }, { campo: 'precioPactado', titulo: 'Precio pactado', formato: dinero },
    { campo: 'fechaActivacion', titulo: 'Activo desde', formato: dia }, { campo: 'diaCorte', titulo: 'Día de corte' }, { campo: 'estado', titulo: 'Estado' }]),
  tabla('Tickets abiertos del cliente', e.ticketsAbiertos ?? [], [{ campo: 'numero', titulo: 'Número' }, { campo: 'tipo', titulo: 'Tipo' }, { campo: 'prioridad', titulo: 'Prioridad' },
    { campo: 'estado', titulo: 'Estado' }, { campo: 'fechaProgramada', titulo: 'Programado', formato: dia }, { campo: 'descripcion', titulo: 'Descripción' }]),
  tabla('Routers del cliente', e.routers ?? [], [{ campo: 'serial', titulo: 'Serie' }, { campo: 'modelo', titulo: 'Modelo' }, { campo: 'estado', titulo: 'Estado' }, { campo: 'reportadoEn', titulo: 'Último reporte', formato: fecha }]));
}

async function tickets(el) {
  const abiertos = lista(await api.get('/api/tickets?tamano=200')).filter((t) => t.estado !== 'cerrado' && t.estado !== 'cancelado');
  el.append(tabla('Tickets abiertos', abiertos, [
    { campo: 'numero', titulo: 'Número' }, { campo: 'tipo', titulo: 'Tipo' }, { campo: 'prioridad', titulo: 'Prioridad' }, { campo: 'estado', titulo: 'Estado' },
    { campo: 'clienteId', titulo: 'Cliente', celda: (f) => h('a', { href: `#/cliente-${f.clienteId}` }, 'Ver cliente') },
    { campo: 'fechaProgramada', titulo: 'Programado', formato: (v, f) => (v ? `${dia(v)}${f.franjaHoraria ? ` (${f.franjaHoraria})` : ''}` : '—') },
    { campo: 'descripcion', titulo: 'Descripción' }, { campo: 'createdAt', titulo: 'Creado', formato: fecha },
  ]));
}

async function flota(el) {
  const caja = h('div', { 'aria-live': 'polite' });
  // GET /api/router/flota → { total, enLinea, degradado, fueraDeLinea, porZona: [...], routers: [{ routerId, serial, clienteId, zona, estado, reportadoEn, senalDbm, snrDb }] }
  const r = await api.get('/api/router/flota');
  el.append(caja, h('dl', { class: 'kpis' }, [['Routers', r.total], ['En línea', r.enLinea], ['Con fallas', r.degradado], ['Fuera de línea', r.fueraDeLinea]]
    .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, entero(v ?? 0))))),
  tabla('Routers por zona', r.porZona ?? [], [{ campo: 'nombre', titulo: 'Zona' }, { campo: 'total', titulo: 'Total', formato: entero },
    { campo: 'enLinea', titulo: 'En línea', formato: entero }, { campo: 'degradado', titulo: 'Con fallas', formato: entero }, { campo: 'fueraDeLinea', titulo: 'Fuera de línea', formato: entero }]),
  tabla('Routers', r.routers ?? [], [
    { campo: 'serial', titulo: 'Serie' }, { campo: 'zona', titulo: 'Zona' }, { campo: 'estado', titulo: 'Estado' },
    { campo: 'clienteId', titulo: 'Cliente', celda: (f) => (f.clienteId ? h('a', { href: `#/cliente-${f.clienteId}` }, 'Ver cliente') : '—') },
    { campo: 'reportadoEn', titulo: 'Último reporte', formato: fecha },
    { campo: 'senalDbm', titulo: 'Señal (dBm)', formato: (v) => v ?? '—' },
    { titulo: 'Acción', celda: (f) => boton(`Reiniciar ${f.serial}`, (ev) => reiniciar(f, ev.currentTarget, caja), 'secundario') },
  ]));
}

const clavesReinicio = {};
async function reiniciar(f, b, caja) {
  clavesReinicio[f.routerId] ??= nuevoUuid();
  try {
    // POST /api/router/{id}/reset → 202 { id, tipo, estado: pendiente, ... }: el router lo recoge en su próximo reporte.
    const c = await ocupado(b, () => api.post(`/api/router/${encodeURIComponent(f.routerId)}/reset`, {}, clavesReinicio[f.routerId]));
    delete clavesReinicio[f.routerId];
    caja.replaceChildren(h('p', { class: 'exito', role: 'status' }, `Reinicio solicitado para ${f.serial} (comando ${c?.estado ?? 'pendiente'}).`));
  } catch (e) { mostrarError(caja, e); }
}

async function notificaciones(el) {
  el.append(tabla('Notificaciones enviadas', lista(await api.get('/api/notificaciones')), [
    { campo: 'canal', titulo: 'Canal' }, { campo: 'destino', titulo: 'Destino' }, { campo: 'plantilla', titulo: 'Plantilla' }, { campo: 'asunto', titulo: 'Asunto' },
    { campo: 'estado', titulo: 'Estado' }, { campo: 'enviadaEn', titulo: 'Enviada', formato: (v, f) => fecha(v ?? f.createdAt) },
  ]));
}

async function eventos(el) {
  el.append(tabla('Eventos de dominio', lista(await api.get('/api/eventos?tamano=50')), [
    { campo: 'posicion', titulo: 'Posición' }, { campo: 'tipo', titulo: 'Tipo' }, { campo: 'agregado', titulo: 'Agregado' }, { campo: 'agregadoId', titulo: 'Id' },
    { campo: 'ocurridoEn', titulo: 'Ocurrió', formato: fecha },
  ]));
}

const portal = {
  roles: PERSONAL,
  vistas: [
    { id: 'clientes', titulo: 'Clientes', roles: PERSONAL, render: clientes },
    { id: 'tickets', titulo: 'Tickets', roles: PERSONAL, render: tickets },
    { id: 'flota', titulo: 'Flota de routers', roles: PERSONAL, render: flota },
    { id: 'notificaciones', titulo: 'Notificaciones', roles: PERSONAL, render: notificaciones },
    { id: 'cobranza', titulo: 'Cobranza', roles: PERSONAL, render: cobranza },
    { id: 'eventos', titulo: 'Eventos', roles: PERSONAL, render: eventos },
    { id: 'operaciones', titulo: 'Operaciones', roles: ['admin'], render: operaciones },
  ],
};
// El detalle de un cliente (#/cliente-<id>) no aparece en el menú.
portal.vistas.push({ id: 'cliente', titulo: 'Estado del cliente', roles: PERSONAL, coincide: (ruta) => ruta.startsWith('cliente-'),
  render: (el) => estadoCliente(el, location.hash.slice('#/cliente-'.length)) });
const ETAPAS_COBRANZA = {
  recordatorio_previo: 'Recordatorio previo', recordatorio_vencimiento: 'Aviso del vencimiento',
  recordatorio_vencida: 'Aviso de factura vencida', suspension: 'Servicio suspendido',
};
const ESTADOS_CONTRATO = { activo: 'Activo', suspendido: 'Suspendido', cancelado: 'Cancelado', pendiente_instalacion: 'Por instalar' };

async function cobranza(el) {
  // GET /api/cobranza/vencidas → { elementos: [{ clienteId, cliente, folio, saldo, fechaVencimiento, diasVencida, etapa, promesaHasta, estadoContrato }], total }
  const r = lista(await api.get('/api/cobranza/vencidas?tamano=200'));
  el.append(tabla('Facturas vencidas', r, [
    { campo: 'cliente', titulo: 'Cliente', celda: (f) => h('a', { href: `#/cliente-${f.clienteId}` }, f.cliente) },
    { campo: 'folio', titulo: 'Factura' },
    { campo: 'saldo', titulo: 'Saldo', formato: dinero },
    { campo: 'fechaVencimiento', titulo: 'Venció', formato: dia },
    { campo: 'diasVencida', titulo: 'Días de atraso', formato: entero },
    { campo: 'etapa', titulo: 'Etapa de cobranza', formato: (v) => ETAPAS_COBRANZA[v] ?? 'Sin aviso aún' },
    { campo: 'promesaHasta', titulo: 'Promesa de pago', formato: (v) => (v ? `Hasta el ${dia(v)}` : '—') },
    { campo: 'estadoContrato', titulo: 'Servicio', formato: (v) => ESTADOS_CONTRATO[v] ?? '—' },
  ]));
}

iniciarPortal(portal);
