// Portal del técnico (móvil primero): sus tickets abiertos (hoy primero) con el cliente, domicilio (y enlace al mapa),
// teléfono, plan y la franja en palabras; avance de instalaciones (en camino, en sitio, instalado con la serie del
// router) y cierre; atención y resolución de los tickets de soporte que la mesa le asignó.
import { api, lista } from '../comun/api.js';
import { iniciarPortal } from '../comun/portal.js';
import { dia, hoyMx } from '../comun/formato.js';
import { ESTADOS_TICKET_PERSONAL, TIPOS_TICKET, FRANJAS, etiqueta } from '../comun/etiquetas.js';
import { h, campo, mostrarError, anunciar, validarFormulario, ocupado } from '../comun/ui.js';
import { requerido } from '../comun/validacion.js';

const NOMBRES = ESTADOS_TICKET_PERSONAL;
const DE_MESA = (t) => t.tipo === 'soporte' || t.tipo === 'falla';
// Lo que el técnico reporta desde cada estado (EstadosTicket: instalado solo en instalaciones).
const SIGUIENTE = { asignado: ['en_camino'], en_camino: ['en_sitio'], en_sitio: ['instalado'], abierto: [], instalado: [] };
const abierto = (t) => t.estado !== 'cerrado' && t.estado !== 'cancelado';
// Se cierra una instalación ya instalada; un ticket de soporte, desde en_sitio.
const cerrable = (t) => (t.tipo === 'instalacion' ? t.estado === 'instalado' : t.estado === 'en_sitio');

async function tickets(el) {
  // GET /api/tecnico/visitas: un técnico, solo los tickets abiertos asignados a él (admin: todos los asignados), con el cliente.
  const todos = lista(await api.get('/api/tecnico/visitas?tamano=200'));
  const hoy = hoyMx();
  const deHoy = todos.filter((t) => t.fechaProgramada === hoy);
  const otros = todos.filter((t) => t.fechaProgramada !== hoy);
  if (!deHoy.length) el.append(h('p', { class: 'vacio' }, 'No tiene tickets programados para hoy.'));
  else el.append(h('ul', { class: 'portales', 'aria-label': 'Tickets de hoy' }, deHoy.map((t) => h('li', { class: 'tarjeta visita' }, tarjetaTicket(t)))));
  if (otros.length) el.append(h('h3', {}, 'Próximos y pendientes'), h('ul', { class: 'portales', 'aria-label': 'Próximos y pendientes' }, otros.map((t) => h('li', { class: 'tarjeta visita' }, tarjetaTicket(t)))));
}

function tarjetaTicket(t) {
  const contenedor = h('div', {});
  const pintar = () => contenedor.replaceChildren(...contenido(t, (nuevo) => { Object.assign(t, nuevo); pintar(); }));
  pintar();
  return contenedor;
}

const mapa = (direccion) => `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(direccion)}`;

/** A quién visitar, dónde, cómo llamarle, qué tiene contratado y cuándo (la franja en palabras). */
function datosVisita(t) {
  const filas = [
    ['Cliente', t.cliente],
    ['Domicilio', t.direccion ? h('span', {}, t.direccion, ' ', h('a', { href: mapa(t.direccion), target: '_blank', rel: 'noopener' }, 'Ver en el mapa')) : '—'],
    ['Referencias', t.referencias],
    ['Teléfono', t.telefono ? h('a', { href: `tel:${t.telefono}` }, t.telefono) : '—'],
    ['Plan', t.plan],
    ['Cuándo', t.fechaProgramada ? `${dia(t.fechaProgramada)}${t.franjaHoraria ? `, ${etiqueta(FRANJAS, t.franjaHoraria)}` : ''}` : 'Sin fecha programada'],
  ].filter(([, v]) => v);
  return h('dl', {}, filas.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function contenido(t, actualizar) {
  const res = h('div', { 'aria-live': 'polite', id: `res-${t.id}` });
  const titulo = h('h3', {}, `Ticket ${t.numero} · ${t.tipo === 'instalacion' ? 'Instalación' : etiqueta(TIPOS_TICKET, t.tipo)}`);
  const datos = [titulo, datosVisita(t), h('p', {}, t.descripcion), h('p', {}, `Estado: ${etiqueta(NOMBRES, t.estado)}`), res];
  if (!abierto(t)) return datos;
  if (DE_MESA(t) && ['asignado', 'en_atencion'].includes(t.estado)) datos.push(accionesMesa(t, res, actualizar));
  // Resolved or in attention, a desk ticket has nothing more from the field flow (the customer or the desk closes it).
  if (DE_MESA(t) && !['asignado', 'en_camino', 'en_sitio'].includes(t.estado)) return datos;
  const siguientes = (SIGUIENTE[t.estado] ?? []).filter((e) => e !== 'instalado' || t.tipo === 'instalacion');
  const form = h('form', { novalidate: true, 'aria-label': `Avance del ticket ${t.numero}` });
  if (siguientes.length) {
    form.append(campo('Nuevo estado', 'estado', { tipo: 'select', id: `estado-${t.id}`, opciones: siguientes.map((e) => [e, NOMBRES[e]]) }));
    if (siguientes.includes('instalado')) {
      form.append(campo('Número de serie del router', 'serialRouter', { id: `serie-${t.id}`, ayuda: 'Obligatorio al marcar «Instalado».', autocomplete: 'off' }),
        campo('Modelo del router (opcional)', 'modeloRouter', { id: `modelo-${t.id}`, autocomplete: 'off' }),
        campo('MAC (opcional)', 'mac', { id: `mac-${t.id}`, autocomplete: 'off' }));
    }
  }
  form.append(campo('Nota', 'nota', { tipo: 'textarea', id: `nota-${t.id}` }),
    h('div', { class: 'acciones' },
      siguientes.length ? h('button', { type: 'submit' }, 'Guardar avance') : null,
      cerrable(t) ? h('button', { type: 'button', class: 'secundario', onclick: (ev) => cerrar(t, res, form, actualizar, ev.currentTarget) }, 'Cerrar ticket') : null));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!form.estado) return;
    const estado = form.estado.value;
    if (!validarFormulario(form, estado === 'instalado' ? { serialRouter: requerido } : {})) return;
    const valor = (n) => form.elements[n]?.value.trim() || null;
    try {
      // PATCH /progreso → { ticket, contratoActivadoEl?, router?: { id, serial, mac, claveDispositivo } }
      const a = await ocupado(form.querySelector('button[type=submit]'), () => api.patch(`/api/tickets/${t.id}/progreso`,
        { estado, nota: valor('nota'), serialRouter: valor('serialRouter'), modeloRouter: valor('modeloRouter'), mac: valor('mac') }));
      actualizar(a.ticket);
      const aviso = [`Avance guardado: ${NOMBRES[a.ticket.estado] ?? a.ticket.estado}.`];
      if (a.contratoActivadoEl) aviso.push(`Contrato activado el ${dia(a.contratoActivadoEl)}.`);
      if (a.router) aviso.push(`Router ${a.router.serial} registrado; clave del dispositivo (se muestra una sola vez): ${a.router.claveDispositivo}`);
      anunciar(aviso[0]);
      document.getElementById(`res-${t.id}`)?.replaceChildren(h('p', { class: 'exito', role: 'status' }, aviso.join(' ')));
    } catch (e) { mostrarError(res, e, form); }
  });
  return [...datos, form];
}

async function cerrar(t, res, form, actualizar, boton) {
  try {
    const cerrado = await ocupado(boton, () => api.patch(`/api/tickets/${t.id}/cerrar`, { nota: form.nota.value.trim() || null }));
    actualizar(cerrado);
    anunciar(`Ticket ${t.numero} cerrado.`);
    document.getElementById(`res-${t.id}`)?.replaceChildren(h('p', { class: 'exito', role: 'status' }, `Ticket ${t.numero} cerrado.`));
  } catch (e) { mostrarError(res, e, form); }
}

/**
 * Un ticket de soporte o falla asignado al técnico: empezar la atención (POST /atencion) y resolverlo con una nota que
 * el cliente lee (POST /resolucion { motivo }). La API solo se lo permite con sus propios tickets.
 */
function accionesMesa(t, res, actualizar) {
  const exito = (texto) => {
    anunciar(texto);
    document.getElementById(`res-${t.id}`)?.replaceChildren(h('p', { class: 'exito', role: 'status' }, texto));
  };
  if (t.estado === 'asignado') {
    return h('div', { class: 'acciones' }, h('button', { type: 'button', onclick: async (ev) => {
      try {
        actualizar(await ocupado(ev.currentTarget, () => api.post(`/api/tickets/${t.id}/atencion`, {})));
        exito(`Ticket ${t.numero} en atención.`);
      } catch (e) { mostrarError(res, e); }
    } }, 'Empezar atención'));
  }
  const form = h('form', { novalidate: true, 'aria-label': `Resolver el ticket ${t.numero}` },
    campo('Qué se hizo (lo lee el cliente)', 'motivo', { tipo: 'textarea', id: `motivo-${t.id}`, required: true }),
    h('div', { class: 'acciones' }, h('button', { type: 'submit' }, 'Marcar resuelto')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { motivo: requerido })) return;
    try {
      actualizar(await ocupado(form.querySelector('button[type=submit]'), () => api.post(`/api/tickets/${t.id}/resolucion`, { motivo: form.motivo.value.trim() })));
      exito(`Ticket ${t.numero} resuelto.`);
    } catch (e) { mostrarError(res, e, form); }
  });
  return form;
}

iniciarPortal({ roles: ['tecnico', 'admin'], vistas: [{ id: 'tickets', titulo: 'Tickets de hoy', roles: ['tecnico', 'admin'], render: tickets }] });
