// Backoffice (admin, soporte): clientes con búsqueda y páginas (filtros en la URL), la página de un cliente con sus
// acciones, la mesa de soporte, flota de routers por zona y estado (con reinicio confirmado), notificaciones, eventos
// del sistema y (admin) operaciones y cuentas del personal.
import { api, lista } from '../comun/api.js';
import { iniciarPortal } from '../comun/portal.js';
import { fecha, dia, dinero, entero } from '../comun/formato.js';
import { ESTADOS_CLIENTE, ESTADOS_CONTRATO, ESTADOS_ROUTER, CANALES, ESTADOS_NOTIFICACION, etiqueta, legible } from '../comun/etiquetas.js';
import { h, campo, tabla, mostrarError, anunciar, boton, filtrosDeUrl, irConFiltros, llenarFiltros, valoresFiltros, paginador } from '../comun/ui.js';
import { operaciones } from './operaciones.js';
import { bandeja, detalleTicket } from './mesa.js';
import { paginaCliente, reiniciarRouter } from './cliente.js';
import { personal } from './personal.js';

const PERSONAL = ['admin', 'soporte'];

async function opcionesZonas() {
  // GET /api/catalogo/zonas → página de { clave, nombre }: la zona se elige del catálogo, no se escribe.
  const zonas = lista(await api.get('/api/catalogo/zonas?tamano=100'));
  return [['', 'Todas'], ...zonas.map((z) => [z.clave, z.nombre])];
}

/** #/clientes?buscar=&zona=&estado=&pagina= : los filtros viven en la URL, así Atrás los devuelve. */
async function clientes(el) {
  const form = h('form', { class: 'tarjeta filtros', role: 'search', 'aria-label': 'Buscar clientes' },
    campo('Buscar (nombre, RFC, correo; 2 letras o más)', 'buscar', { tipo: 'search' }),
    campo('Zona', 'zona', { tipo: 'select', opciones: await opcionesZonas() }),
    campo('Estado', 'estado', { tipo: 'select', opciones: [['', 'Todos'], ...Object.entries(ESTADOS_CLIENTE)] }),
    h('div', { class: 'acciones' }, h('button', { type: 'submit' }, 'Buscar')));
  const filtros = filtrosDeUrl();
  llenarFiltros(form, filtros);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); irConFiltros('clientes', { ...valoresFiltros(form), pagina: 1 }); });
  const res = h('div', { 'aria-live': 'polite' });
  el.append(form, res);
  // GET /api/clientes?buscar=&zona=&estado=&pagina= → { pagina, tamano, total, elementos }; los filtros vacíos no se envían.
  const q = new URLSearchParams({ pagina: filtros.get('pagina') || 1 });
  for (const n of ['buscar', 'zona', 'estado']) if (filtros.get(n)) q.set(n, filtros.get(n));
  try {
    const r = await api.get(`/api/clientes?${q}`);
    res.replaceChildren(tabla(`Clientes (página ${r.pagina}, ${entero(r.total)} en total)`, lista(r), [
      { campo: 'nombre', titulo: 'Nombre', celda: (f) => h('a', { href: `#/cliente-${f.id}` }, f.nombre) },
      { campo: 'numeroCliente', titulo: 'Número' }, { campo: 'rfc', titulo: 'RFC' }, { campo: 'zonaNombre', titulo: 'Zona', formato: (v, f) => v ?? f.zonaClave ?? '—' },
      { campo: 'estado', titulo: 'Estado', formato: (v) => etiqueta(ESTADOS_CLIENTE, v) },
    ]), paginador(r, (n) => irConFiltros('clientes', { ...Object.fromEntries(filtros), pagina: n })));
    anunciar(`${entero(r.total)} clientes encontrados.`);
  } catch (e) { mostrarError(res, e, form); }
}

/** #/flota?zona=&estado=&pagina= : resumen por zona y los routers de la página, con reinicio confirmado. */
async function flota(el) {
  const form = h('form', { class: 'tarjeta filtros', role: 'search', 'aria-label': 'Filtrar la flota' },
    campo('Zona', 'zona', { tipo: 'select', id: 'flota-zona', opciones: await opcionesZonas() }),
    campo('Estado', 'estado', { tipo: 'select', id: 'flota-estado', opciones: [['', 'Todos'], ['en_linea', 'En línea'], ['degradado', 'Con fallas'], ['fuera_de_linea', 'Fuera de línea']] }),
    h('div', { class: 'acciones' }, h('button', { type: 'submit' }, 'Filtrar')));
  const filtros = filtrosDeUrl();
  llenarFiltros(form, filtros);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); irConFiltros('flota', { ...valoresFiltros(form), pagina: 1 }); });
  const caja = h('div', { 'aria-live': 'polite' });
  el.append(form, caja);
  // GET /api/router/flota?zona=&estado=&pagina=&tamano= → { total, enLinea, degradado, fueraDeLinea, porZona, pagina, tamano, routers }
  const q = new URLSearchParams({ pagina: filtros.get('pagina') || 1, tamano: 20 });
  for (const n of ['zona', 'estado']) if (filtros.get(n)) q.set(n, filtros.get(n));
  const r = await api.get(`/api/router/flota?${q}`);
  // Los conteos por zona ya vienen filtrados por zona; el estado filtra solo la lista: su total es el de ese estado.
  const porEstado = { en_linea: r.enLinea, degradado: r.degradado, fuera_de_linea: r.fueraDeLinea };
  const total = filtros.get('estado') ? porEstado[filtros.get('estado')] ?? 0 : r.total;
  el.append(h('dl', { class: 'kpis' }, [['Routers', r.total], ['En línea', r.enLinea], ['Con fallas', r.degradado], ['Fuera de línea', r.fueraDeLinea]]
    .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, entero(v ?? 0))))),
  tabla('Routers por zona', r.porZona ?? [], [{ campo: 'nombre', titulo: 'Zona' }, { campo: 'total', titulo: 'Total', formato: entero },
    { campo: 'enLinea', titulo: 'En línea', formato: entero }, { campo: 'degradado', titulo: 'Con fallas', formato: entero }, { campo: 'fueraDeLinea', titulo: 'Fuera de línea', formato: entero }]),
  tabla(`Routers (${entero(total)})`, r.routers ?? [], [
    { campo: 'serial', titulo: 'Serie' }, { campo: 'zona', titulo: 'Zona', formato: (v) => r.porZona?.find((z) => z.zona === v)?.nombre ?? v },
    { campo: 'estado', titulo: 'Estado', formato: (v) => etiqueta(ESTADOS_ROUTER, v) },
    { campo: 'clienteId', titulo: 'Cliente', celda: (f) => (f.clienteId ? h('a', { href: `#/cliente-${f.clienteId}` }, 'Ver cliente') : '—') },
    { campo: 'reportadoEn', titulo: 'Último reporte', formato: fecha },
    { campo: 'senalDbm', titulo: 'Señal (dBm)', formato: (v) => v ?? '—' },
    { titulo: 'Acción', celda: (f) => boton(`Reiniciar ${f.serial}`, (ev) => reiniciarRouter(f.serial, f.routerId, ev.currentTarget, caja), 'secundario') },
  ]), paginador({ pagina: r.pagina, tamano: r.tamano, total }, (n) => irConFiltros('flota', { ...Object.fromEntries(filtros), pagina: n })));
}

/** Una página de la API con los parámetros de la URL de la vista (pagina y los filtros nombrados). */
async function paginaConFiltros(ruta, tamano, nombres) {
  const filtros = filtrosDeUrl();
  const q = new URLSearchParams({ pagina: filtros.get('pagina') || 1, tamano });
  for (const n of nombres) if (filtros.get(n)) q.set(n, filtros.get(n));
  return { filtros, pagina: await api.get(`${ruta}?${q}`) };
}

/** #/notificaciones?destino=&pagina= */
async function notificaciones(el) {
  const form = h('form', { class: 'tarjeta filtros', role: 'search', 'aria-label': 'Buscar notificaciones' },
    campo('Teléfono del cliente (10 dígitos)', 'destino', { tipo: 'search', id: 'notif-destino', inputmode: 'tel' }),
    h('div', { class: 'acciones' }, h('button', { type: 'submit' }, 'Buscar')));
  llenarFiltros(form, filtrosDeUrl());
  form.addEventListener('submit', (ev) => { ev.preventDefault(); irConFiltros('notificaciones', { ...valoresFiltros(form), pagina: 1 }); });
  const res = h('div', { 'aria-live': 'polite' });
  el.append(form, res);
  let filtros, pagina;
  try { ({ filtros, pagina } = await paginaConFiltros('/api/notificaciones', 25, ['destino'])); } catch (e) { mostrarError(res, e, form); return; }
  res.append(tabla(`Notificaciones enviadas (${entero(pagina.total)})`, lista(pagina), [
    { campo: 'canal', titulo: 'Canal', formato: (v) => etiqueta(CANALES, v) }, { campo: 'destino', titulo: 'Destino' },
    { campo: 'plantilla', titulo: 'Plantilla', formato: (v) => etiqueta({}, v) }, { campo: 'asunto', titulo: 'Asunto' },
    { campo: 'estado', titulo: 'Estado', formato: (v) => etiqueta(ESTADOS_NOTIFICACION, v) }, { campo: 'enviadaEn', titulo: 'Enviada', formato: (v, f) => fecha(v ?? f.createdAt) },
  ]), paginador(pagina, (n) => irConFiltros('notificaciones', { ...Object.fromEntries(filtros), pagina: n })));
}

/** #/eventos?pagina= */
async function eventos(el) {
  const { filtros, pagina } = await paginaConFiltros('/api/eventos', 50, []);
  el.append(tabla('Eventos de dominio', lista(pagina), [
    { campo: 'posicion', titulo: 'Posición' }, { campo: 'tipo', titulo: 'Tipo' }, { campo: 'agregado', titulo: 'Agregado', formato: legible },
    { campo: 'ocurridoEn', titulo: 'Ocurrió', formato: fecha },
  ]), paginador(pagina, (n) => irConFiltros('eventos', { ...Object.fromEntries(filtros), pagina: n })));
}

const portal = {
  roles: PERSONAL,
  vistas: [
    { id: 'clientes', titulo: 'Clientes', roles: PERSONAL, render: clientes },
    { id: 'tickets', titulo: 'Tickets', roles: PERSONAL, render: bandeja },
    { id: 'flota', titulo: 'Flota de routers', roles: PERSONAL, render: flota },
    { id: 'notificaciones', titulo: 'Notificaciones', roles: PERSONAL, render: notificaciones },
    { id: 'cobranza', titulo: 'Cobranza', roles: PERSONAL, render: cobranza },
    { id: 'eventos', titulo: 'Eventos', roles: PERSONAL, render: eventos },
    { id: 'operaciones', titulo: 'Operaciones', roles: ['admin'], render: operaciones },
    { id: 'personal', titulo: 'Personal', roles: ['admin'], render: personal },
  ],
};
// Los detalles de un cliente (#/cliente-<id>) y de un ticket (#/ticket-<id>) no aparecen en el menú.
const idDeRuta = (prefijo) => location.hash.slice(`#/${prefijo}`.length).split('?')[0];
portal.vistas.push({ id: 'cliente', titulo: 'Estado del cliente', roles: PERSONAL, coincide: (ruta) => ruta.startsWith('cliente-'),
  render: (el) => paginaCliente(el, idDeRuta('cliente-')) });
portal.vistas.push({ id: 'ticket', titulo: 'Ticket de soporte', roles: PERSONAL, coincide: (ruta) => ruta.startsWith('ticket-'),
  render: (el) => detalleTicket(el, idDeRuta('ticket-')) });
const ETAPAS_COBRANZA = {
  recordatorio_previo: 'Recordatorio previo', recordatorio_vencimiento: 'Aviso del vencimiento',
  recordatorio_vencida: 'Aviso de factura vencida', suspension: 'Servicio suspendido',
};

async function cobranza(el) {
  // GET /api/cobranza/vencidas → { elementos: [{ clienteId, cliente, folio, saldo, fechaVencimiento, diasVencida, etapa, promesaHasta, estadoContrato }], total }
  const { filtros, pagina } = await paginaConFiltros('/api/cobranza/vencidas', 200, []);
  el.append(tabla('Facturas vencidas', lista(pagina), [
    { campo: 'cliente', titulo: 'Cliente', celda: (f) => h('a', { href: `#/cliente-${f.clienteId}` }, f.cliente) },
    { campo: 'folio', titulo: 'Factura' },
    { campo: 'saldo', titulo: 'Saldo', formato: dinero },
    { campo: 'fechaVencimiento', titulo: 'Venció', formato: dia },
    { campo: 'diasVencida', titulo: 'Días de atraso', formato: entero },
    { campo: 'etapa', titulo: 'Etapa de cobranza', formato: (v) => ETAPAS_COBRANZA[v] ?? 'Sin aviso aún' },
    { campo: 'promesaHasta', titulo: 'Promesa de pago', formato: (v) => (v ? `Hasta el ${dia(v)}` : '—') },
    { campo: 'estadoContrato', titulo: 'Servicio', formato: (v) => ESTADOS_CONTRATO[v] ?? '—' },
  ]), paginador(pagina, (n) => irConFiltros('cobranza', { ...Object.fromEntries(filtros), pagina: n })));
}

iniciarPortal(portal);
