// Backoffice (admin, soporte): clientes con búsqueda y páginas, estado completo de un cliente, tickets,
// flota de routers por estado (con reinicio), notificaciones y eventos del sistema.
import { api, lista, nuevoUuid } from '../comun/api.js';
import { iniciarPortal } from '../comun/portal.js';
import { fecha, dinero, entero } from '../comun/formato.js';
import { h, campo, tabla, mostrarError, anunciar, boton, ocupado } from '../comun/ui.js';

const PERSONAL = ['admin', 'soporte'];

function clientes(el) {
  const res = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'tarjeta', role: 'search', 'aria-label': 'Buscar clientes' },
    campo('Buscar (nombre, RFC, correo)', 'buscar', { tipo: 'search' }), campo('Zona', 'zona'),
    campo('Estado', 'estado', { tipo: 'select', opciones: [['', 'Todos'], ['activo', 'Activo'], ['pendiente', 'Pendiente'], ['suspendido', 'Suspendido'], ['baja', 'Baja']] }),
    h('button', { type: 'submit' }, 'Buscar'));
  let pagina = 1;
  const cargar = async () => {
    const q = new URLSearchParams({ buscar: form.buscar.value.trim(), zona: form.zona.value.trim(), estado: form.estado.value, pagina });
    try {
      const r = await api.get(`/api/clientes?${q}`);
      const filas = lista(r);
      const total = r.total ?? filas.length;
      const porPagina = r.tamanoPagina ?? r.porPagina ?? 20;
      res.replaceChildren(tabla(`Clientes (página ${pagina}, ${entero(total)} en total)`, filas, [
        { campo: 'nombre', titulo: 'Nombre', celda: (f) => h('a', { href: `#/cliente-${f.id}` }, f.nombre ?? f.id) },
        { campo: 'rfc', titulo: 'RFC' }, { campo: 'zona', titulo: 'Zona', formato: (v, f) => v ?? f.zonaNombre ?? '—' }, { campo: 'estado', titulo: 'Estado' },
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
  const e = await api.get(`/api/clientes/${encodeURIComponent(id)}/estado`);
  const c = e.cliente ?? e;
  el.append(h('dl', { class: 'kpis' },
    [['Nombre', c.nombre], ['RFC', c.rfc], ['Estado', c.estado], ['Plan', e.contrato?.plan ?? e.plan?.nombre ?? '—'], ['Saldo', dinero(e.saldo ?? 0)]]
      .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v ?? '—')))),
  tabla('Facturas', lista(e.facturas ?? []), [{ campo: 'uuid', titulo: 'UUID' }, { campo: 'total', titulo: 'Total', formato: dinero }, { campo: 'estado', titulo: 'Estado' }]),
  tabla('Tickets', lista(e.tickets ?? []), [{ campo: 'folio', titulo: 'Folio' }, { campo: 'tipo', titulo: 'Tipo' }, { campo: 'estado', titulo: 'Estado' }]),
  tabla('Routers', lista(e.routers ?? []), [{ campo: 'id', titulo: 'Router' }, { campo: 'estado', titulo: 'Estado' }]));
}

async function tickets(el) {
  el.append(tabla('Tickets abiertos', lista(await api.get('/api/tickets')), [
    { campo: 'folio', titulo: 'Folio', formato: (v, f) => v ?? f.id }, { campo: 'tipo', titulo: 'Tipo' }, { campo: 'estado', titulo: 'Estado' },
    { campo: 'tecnico', titulo: 'Técnico', formato: (v, f) => v?.nombre ?? f.tecnicoNombre ?? '—' }, { campo: 'creadoEn', titulo: 'Creado', formato: fecha },
  ]));
}

async function flota(el) {
  const caja = h('div', { 'aria-live': 'polite' });
  const r = await api.get('/api/router/flota');
  const porEstado = r.porEstado ?? r.resumen ?? {};
  el.append(caja, h('dl', { class: 'kpis' }, Object.entries(porEstado).map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, entero(v))))),
    tabla('Routers', lista(r.routers ?? r), [
      { campo: 'id', titulo: 'Router' }, { campo: 'estado', titulo: 'Estado' }, { campo: 'cliente', titulo: 'Cliente', formato: (v, f) => v?.nombre ?? f.clienteNombre ?? '—' },
      { campo: 'ultimaTelemetria', titulo: 'Última telemetría', formato: fecha },
      { titulo: 'Acción', celda: (f) => boton(`Reiniciar ${f.id}`, (ev) => reiniciar(f, ev.currentTarget, caja), 'secundario') },
    ]));
}

const clavesReinicio = {};
async function reiniciar(f, b, caja) {
  clavesReinicio[f.id] ??= nuevoUuid();
  try {
    await ocupado(b, () => api.post(`/api/router/${encodeURIComponent(f.id)}/reset`, {}, clavesReinicio[f.id]));
    delete clavesReinicio[f.id];
    caja.replaceChildren(h('p', { class: 'exito', role: 'status' }, `Reinicio solicitado para ${f.id}.`));
  } catch (e) { mostrarError(caja, e); }
}

async function notificaciones(el) {
  el.append(tabla('Notificaciones enviadas', lista(await api.get('/api/notificaciones')), [
    { campo: 'canal', titulo: 'Canal' }, { campo: 'destino', titulo: 'Destino' }, { campo: 'plantilla', titulo: 'Plantilla', formato: (v, f) => v ?? f.asunto ?? '—' },
    { campo: 'estado', titulo: 'Estado' }, { campo: 'enviadaEn', titulo: 'Enviada', formato: (v, f) => fecha(v ?? f.creadaEn) },
  ]));
}

async function eventos(el) {
  el.append(tabla('Eventos de dominio', lista(await api.get('/api/eventos?limite=50')), [
    { campo: 'tipo', titulo: 'Tipo' }, { campo: 'agregado', titulo: 'Agregado' }, { campo: 'agregadoId', titulo: 'Id' },
    { campo: 'ocurridoEn', titulo: 'Ocurrió', formato: (v, f) => fecha(v ?? f.creadoEn) },
  ]));
}

const portal = {
  roles: PERSONAL,
  vistas: [
    { id: 'clientes', titulo: 'Clientes', roles: PERSONAL, render: clientes },
    { id: 'tickets', titulo: 'Tickets', roles: PERSONAL, render: tickets },
    { id: 'flota', titulo: 'Flota de routers', roles: PERSONAL, render: flota },
    { id: 'notificaciones', titulo: 'Notificaciones', roles: PERSONAL, render: notificaciones },
    { id: 'eventos', titulo: 'Eventos', roles: PERSONAL, render: eventos },
  ],
};
// El detalle de un cliente (#/cliente-<id>) no aparece en el menú.
portal.vistas.push({ id: 'cliente', titulo: 'Estado del cliente', roles: PERSONAL, coincide: (ruta) => ruta.startsWith('cliente-'),
  render: (el) => estadoCliente(el, location.hash.slice('#/cliente-'.length)) });
iniciarPortal(portal);
