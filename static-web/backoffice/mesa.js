// Mesa de soporte del backoffice (admin, soporte): la bandeja con el SLA (vencidos resaltados) y filtros en la URL,
// y el detalle de un ticket con sus acciones (asignar, atender, resolver, cerrar, reabrir, cancelar con confirmación),
// notas internas y mensajes al cliente.
import { api, lista } from '../comun/api.js';
import { fecha, dia, entero } from '../comun/formato.js';
import { ESTADOS_TICKET_PERSONAL, TIPOS_TICKET, PRIORIDADES, FRANJAS, etiqueta } from '../comun/etiquetas.js';
import {
  h, campo, tabla, mostrarError, anunciar, ocupado, confirmar, validarFormulario,
  filtrosDeUrl, irConFiltros, llenarFiltros, valoresFiltros, paginador,
} from '../comun/ui.js';
import { requerido } from '../comun/validacion.js';

const ESTADOS_MESA = ['abierto', 'asignado', 'en_atencion', 'resuelto', 'cerrado', 'cancelado'];
const opciones = (codigos, catalogo) => [['', 'Todos'], ...codigos.map((c) => [c, etiqueta(catalogo, c)])];

// GET /api/soporte/responsables → página de { tipo: agente|tecnico, clave, nombre }; una vez por carga del portal.
let responsables;
const cargarResponsables = async () => (responsables ??= lista(await api.get('/api/soporte/responsables?tamano=500')));
const valorResponsable = (r) => `${r.tipo}:${r.clave}`;
const nombreAgente = (usuario) => responsables?.find((r) => r.tipo === 'agente' && r.clave === usuario)?.nombre ?? usuario;
const responsableDe = (t) => (t.tecnico ? `${t.tecnico} (técnico)` : t.agente ? nombreAgente(t.agente) : 'Sin asignar');

function opcionesResponsables(todas) {
  const grupo = (tipo, titulo) => h('optgroup', { label: titulo },
    todas.filter((r) => r.tipo === tipo).map((r) => h('option', { value: valorResponsable(r) }, r.nombre)));
  return [grupo('agente', 'Agentes de soporte'), grupo('tecnico', 'Técnicos')];
}

function campoResponsable(id, todas, vacio) {
  const select = h('select', { id, name: 'responsable' }, vacio ? h('option', { value: '' }, vacio) : null, opcionesResponsables(todas));
  return h('div', { class: 'campo' }, h('label', { for: id }, 'Responsable'), select);
}

/** #/tickets?estado=&tipo=&prioridad=&responsable=&vencidos=si&pagina= */
export async function bandeja(el) {
  const filtros = filtrosDeUrl();
  // GET /api/soporte/bandeja → { pagina, tamano, total, elementos: [TicketMesa] }; vencidos primero, luego por vencimiento.
  const q = new URLSearchParams({ pagina: filtros.get('pagina') || 1, tamano: 20 });
  for (const n of ['estado', 'tipo', 'prioridad']) if (filtros.get(n)) q.set(n, filtros.get(n));
  const [tipoResp, clave] = (filtros.get('responsable') || '').split(':');
  if (tipoResp === 'agente') q.set('agente', clave);
  if (tipoResp === 'tecnico') q.set('tecnico', clave);
  if (filtros.get('vencidos') === 'si') q.set('vencidos', 'true');
  // The three reads at once, and the page appended once: one style and layout pass instead of one per table (TBT).
  const [todas, pagina, tickets] = await Promise.all([
    cargarResponsables(), api.get(`/api/soporte/bandeja?${q}`), api.get('/api/tickets?tamano=100')]);
  const form = h('form', { class: 'tarjeta filtros', role: 'search', 'aria-label': 'Filtrar la bandeja' },
    campo('Estado', 'estado', { tipo: 'select', id: 'f-estado', opciones: opciones(ESTADOS_MESA, ESTADOS_TICKET_PERSONAL) }),
    campo('Tipo', 'tipo', { tipo: 'select', id: 'f-tipo', opciones: opciones(['soporte', 'falla'], TIPOS_TICKET) }),
    campo('Prioridad', 'prioridad', { tipo: 'select', id: 'f-prioridad', opciones: opciones(['urgente', 'alta', 'media', 'baja'], PRIORIDADES) }),
    campoResponsable('f-responsable', todas, 'Todos'),
    h('div', { class: 'campo' }, h('label', { class: 'casilla' }, h('input', { type: 'checkbox', name: 'vencidos', id: 'f-vencidos' }), 'Solo vencidos')),
    h('div', { class: 'acciones' }, h('button', { type: 'submit' }, 'Filtrar')));
  llenarFiltros(form, filtros);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); irConFiltros('tickets', { ...valoresFiltros(form), pagina: 1 }); });
  const res = h('div', { 'aria-live': 'polite' });
  const filas = lista(pagina);
  const t = tabla(`Bandeja de soporte (${entero(pagina.total)} tickets)`, filas, [
    { titulo: 'Ticket', celda: (f) => h('a', { href: `#/ticket-${f.id}` }, `Ticket ${f.numero}`) },
    { titulo: 'Cliente', celda: (f) => h('a', { href: `#/cliente-${f.clienteId}` }, f.cliente) },
    { campo: 'tipo', titulo: 'Tipo', formato: (v) => etiqueta(TIPOS_TICKET, v) },
    { campo: 'prioridad', titulo: 'Prioridad', formato: (v) => etiqueta(PRIORIDADES, v) },
    { campo: 'estado', titulo: 'Estado', formato: (v) => etiqueta(ESTADOS_TICKET_PERSONAL, v) },
    { titulo: 'Responsable', celda: responsableDe },
    { titulo: 'Vence', celda: (f) => h('span', {}, fecha(f.venceEn), f.vencido ? h('strong', { class: 'etiqueta-vencido' }, ' · Vencido') : null) },
    { campo: 'createdAt', titulo: 'Abierto', formato: fecha },
    { campo: 'descripcion', titulo: 'Descripción' },
  ]);
  // Un ticket fuera de su objetivo de SLA se resalta en toda su fila (además del texto «Vencido»).
  t.querySelectorAll?.('tbody tr').forEach((tr, i) => { if (filas[i].vencido) tr.classList.add('vencido'); });
  res.append(t, filas.length ? paginador(pagina, (n) => irConFiltros('tickets', { ...Object.fromEntries(filtros), pagina: n })) : '');
  el.append(form, res, instalaciones(tickets));
  anunciar(`${entero(pagina.total)} tickets en la bandeja.`);
}

function instalaciones(tickets) {
  // Las instalaciones siguen su propio avance en el portal del técnico: aquí solo se listan las abiertas.
  const abiertas = lista(tickets).filter((t) => t.tipo === 'instalacion' && t.estado !== 'cerrado' && t.estado !== 'cancelado');
  return tabla('Instalaciones abiertas', abiertas, [
    { campo: 'numero', titulo: 'Ticket', formato: (v) => `Ticket ${v}` },
    { campo: 'estado', titulo: 'Estado', formato: (v) => etiqueta(ESTADOS_TICKET_PERSONAL, v) },
    { titulo: 'Cliente', celda: (f) => h('a', { href: `#/cliente-${f.clienteId}` }, 'Ver cliente') },
    { campo: 'fechaProgramada', titulo: 'Programada', formato: (v, f) => (v ? `${dia(v)}${f.franjaHoraria ? `, ${etiqueta(FRANJAS, f.franjaHoraria)}` : ''}` : '—') },
    { campo: 'descripcion', titulo: 'Descripción' },
  ]);
}

// ------------------------------------------------------------------ detalle

const ABIERTOS = ['abierto', 'asignado', 'en_atencion'];

/** #/ticket-<id>: GET /api/soporte/tickets/{id} → { ticket: TicketMesa, eventos: [{ estadoAnterior, estadoNuevo, nota, actor, createdAt, interna }] } */
export async function detalleTicket(el, id) {
  const [d, todas] = await Promise.all([api.get(`/api/soporte/tickets/${encodeURIComponent(id)}`), cargarResponsables()]);
  const t = d.ticket;
  const caja = h('div', { 'aria-live': 'polite', id: 'resultado-accion' });
  const repintar = async (mensaje) => {
    el.replaceChildren();
    await detalleTicket(el, id);
    document.getElementById('resultado-accion')?.replaceChildren(h('p', { class: 'exito', role: 'status' }, mensaje));
    anunciar(mensaje);
  };
  const accion = (texto, ruta, cuerpo, exito, clase = '') => h('button', { type: 'button', class: clase, onclick: async (ev) => {
    try {
      await ocupado(ev.currentTarget, () => api.post(`/api/tickets/${t.id}/${ruta}`, cuerpo));
      await repintar(exito);
    } catch (e) { mostrarError(caja, e); }
  } }, texto);

  el.append(
    h('p', {}, h('a', { href: '#/tickets' }, 'Volver a la bandeja')),
    h('h3', {}, `Ticket ${t.numero} · ${etiqueta(TIPOS_TICKET, t.tipo)}`),
    h('dl', { class: 'kpis' }, [
      ['Cliente', h('a', { href: `#/cliente-${t.clienteId}` }, t.cliente)], ['Estado', etiqueta(ESTADOS_TICKET_PERSONAL, t.estado)],
      ['Prioridad', etiqueta(PRIORIDADES, t.prioridad)], ['Responsable', responsableDe(t)],
      ['Vence', h('span', {}, fecha(t.venceEn), t.vencido ? h('strong', { class: 'etiqueta-vencido' }, ' · Vencido') : null)], ['Abierto', fecha(t.createdAt)],
    ].map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
    h('p', {}, t.descripcion), caja);

  const acciones = h('div', { class: 'acciones' });
  if (t.estado === 'asignado') acciones.append(accion('Atender', 'atencion', {}, `Ticket ${t.numero} en atención.`));
  if (t.estado === 'resuelto') acciones.append(accion('Cerrar (el cliente confirmó)', 'confirmacion', {}, `Ticket ${t.numero} cerrado.`));
  if (acciones.children.length) el.append(acciones);
  if (ABIERTOS.includes(t.estado)) el.append(formularioAsignar(t, todas, caja, repintar));
  if (['asignado', 'en_atencion'].includes(t.estado)) {
    el.append(formularioMotivo(t, caja, repintar, { id: 'resolver', titulo: 'Resolver', etiqueta: 'Qué se hizo (mensaje al cliente)', boton: 'Marcar resuelto',
      ruta: 'resolucion', exito: `Ticket ${t.numero} resuelto: el cliente recibe el mensaje.` }));
  }
  if (['resuelto', 'cerrado'].includes(t.estado)) {
    el.append(formularioMotivo(t, caja, repintar, { id: 'reabrir', titulo: 'Reabrir', etiqueta: 'Motivo para reabrir', boton: 'Reabrir ticket',
      ruta: 'reapertura', exito: `Ticket ${t.numero} reabierto.` }));
  }
  if (ABIERTOS.includes(t.estado)) {
    el.append(formularioMotivo(t, caja, repintar, { id: 'cancelar', titulo: 'Cancelar', etiqueta: 'Motivo de la cancelación', boton: 'Cancelar ticket',
      ruta: 'cancelacion', exito: `Ticket ${t.numero} cancelado.`, clase: 'peligro',
      confirmacion: { titulo: `¿Cancelar el ticket ${t.numero}?`, texto: 'El cliente verá el ticket como cancelado y ya no admitirá cambios.', aceptar: 'Sí, cancelar el ticket' } }));
  }
  if (!['cancelado'].includes(t.estado)) el.append(formularioNota(t, caja, repintar));
  el.append(historial(d.eventos));
}

function formularioAsignar(t, todas, caja, repintar) {
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-labelledby': 'titulo-asignar' },
    h('h3', { id: 'titulo-asignar' }, t.estado === 'abierto' ? 'Asignar' : 'Reasignar'),
    campoResponsable('asignar-responsable', todas),
    campo('Nota para el equipo (opcional, no la ve el cliente)', 'nota', { tipo: 'textarea', id: 'asignar-nota' }),
    h('button', { type: 'submit' }, 'Asignar'));
  const actual = t.tecnicoId ? `tecnico:${t.tecnicoId}` : t.agente ? `agente:${t.agente}` : '';
  if (actual) form.responsable.value = actual;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const [tipo, clave] = form.responsable.value.split(':');
    const nombre = form.responsable.selectedOptions[0]?.textContent ?? '';
    const cuerpo = { ...(tipo === 'tecnico' ? { tecnicoId: clave } : { agente: clave }), nota: form.nota.value.trim() || null };
    try {
      await ocupado(form.querySelector('button[type=submit]'), () => api.post(`/api/tickets/${t.id}/asignacion`, cuerpo));
      await repintar(`Ticket ${t.numero} asignado a ${nombre}.`);
    } catch (e) { mostrarError(caja, e, form); }
  });
  return form;
}

/** Un formulario con un motivo obligatorio (resolver, reabrir, cancelar); con confirmación si la acción no se deshace. */
function formularioMotivo(t, caja, repintar, o) {
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-labelledby': `titulo-${o.id}` },
    h('h3', { id: `titulo-${o.id}` }, o.titulo),
    campo(o.etiqueta, 'motivo', { tipo: 'textarea', id: `${o.id}-motivo`, required: true }),
    h('button', { type: 'submit', class: o.clase ?? '' }, o.boton));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { motivo: requerido })) return;
    const boton = form.querySelector('button[type=submit]');
    if (o.confirmacion && !(await confirmar(o.confirmacion))) { boton.focus(); return; }
    try {
      await ocupado(boton, () => api.post(`/api/tickets/${t.id}/${o.ruta}`, { motivo: form.motivo.value.trim() }));
      await repintar(o.exito);
    } catch (e) { mostrarError(caja, e, form); }
  });
  return form;
}

function formularioNota(t, caja, repintar) {
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-labelledby': 'titulo-nota' },
    h('h3', { id: 'titulo-nota' }, 'Escribir'),
    h('fieldset', {}, h('legend', {}, '¿Quién la lee?'),
      h('label', { class: 'casilla' }, h('input', { type: 'radio', name: 'destino', value: 'interna', checked: true }), 'Nota interna (solo el personal)'),
      h('label', { class: 'casilla' }, h('input', { type: 'radio', name: 'destino', value: 'cliente' }), 'Mensaje al cliente')),
    campo('Texto', 'texto', { tipo: 'textarea', id: 'nota-texto', required: true }),
    h('button', { type: 'submit' }, 'Guardar'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { texto: requerido })) return;
    const interna = form.destino.value === 'interna';
    try {
      await ocupado(form.querySelector('button[type=submit]'), () => api.post(`/api/tickets/${t.id}/notas`, { texto: form.texto.value.trim(), interna }));
      await repintar(interna ? 'Nota interna guardada.' : 'Mensaje enviado al cliente.');
    } catch (e) { mostrarError(caja, e, form); }
  });
  return form;
}

function historial(eventos) {
  const cambio = (e) => (e.estadoNuevo && e.estadoNuevo !== e.estadoAnterior
    ? (e.estadoAnterior ? `${etiqueta(ESTADOS_TICKET_PERSONAL, e.estadoAnterior)} → ${etiqueta(ESTADOS_TICKET_PERSONAL, e.estadoNuevo)}` : `Ticket abierto (${etiqueta(ESTADOS_TICKET_PERSONAL, e.estadoNuevo)})`)
    : null);
  return h('section', { 'aria-labelledby': 'titulo-historial' }, h('h3', { id: 'titulo-historial' }, 'Historial'),
    h('ol', { class: 'historial' }, [...eventos].reverse().map((e) => h('li', { class: e.interna ? 'nota-interna' : '' },
      h('strong', {}, fecha(e.createdAt)), ` · ${e.actor}`,
      cambio(e) ? h('p', {}, cambio(e)) : null,
      e.nota ? h('p', {}, e.interna ? h('strong', {}, 'Nota interna: ') : (e.estadoNuevo ? '' : h('strong', {}, 'Mensaje al cliente: ')), e.nota) : null))));
}
