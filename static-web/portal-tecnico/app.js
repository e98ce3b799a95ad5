// Portal del técnico (móvil primero): sus tickets abiertos (hoy primero), avance (en camino, en sitio,
// instalado con la serie del router) y cierre. GET /api/tickets?tecnico=me devuelve solo los suyos.
import { api, lista } from '../comun/api.js';
import { iniciarPortal } from '../comun/portal.js';
import { dia, hoyMx } from '../comun/formato.js';
import { h, campo, mostrarError, anunciar, validarFormulario } from '../comun/ui.js';
import { requerido } from '../comun/validacion.js';

const NOMBRES = { abierto: 'Abierto', asignado: 'Asignado', en_camino: 'En camino', en_sitio: 'En sitio', instalado: 'Instalado', cerrado: 'Cerrado', cancelado: 'Cancelado' };
// Lo que el técnico reporta desde cada estado (EstadosTicket: instalado solo en instalaciones).
const SIGUIENTE = { asignado: ['en_camino'], en_camino: ['en_sitio'], en_sitio: ['instalado'], abierto: [], instalado: [] };
const FRANJAS = { matutina: 'mañana', vespertina: 'tarde' };
const abierto = (t) => t.estado !== 'cerrado' && t.estado !== 'cancelado';
// Se cierra una instalación ya instalada; un ticket de soporte, desde en_sitio.
const cerrable = (t) => (t.tipo === 'instalacion' ? t.estado === 'instalado' : t.estado === 'en_sitio');

async function tickets(el, ctx) {
  // Un técnico ve los suyos (tecnico=me); un admin, todos.
  const todos = lista(await api.get(ctx.usuario.tecnicoId ? '/api/tickets?tecnico=me' : '/api/tickets')).filter(abierto);
  const hoy = hoyMx();
  const deHoy = todos.filter((t) => t.fechaProgramada === hoy);
  const otros = todos.filter((t) => t.fechaProgramada !== hoy);
  if (!deHoy.length) el.append(h('p', { class: 'vacio' }, 'No tiene tickets programados para hoy.'));
  else el.append(h('ul', { class: 'portales', 'aria-label': 'Tickets de hoy' }, deHoy.map((t) => h('li', { class: 'tarjeta' }, tarjetaTicket(t)))));
  if (otros.length) el.append(h('h3', {}, 'Próximos y pendientes'), h('ul', { class: 'portales', 'aria-label': 'Próximos y pendientes' }, otros.map((t) => h('li', { class: 'tarjeta' }, tarjetaTicket(t)))));
}

function tarjetaTicket(t) {
  const contenedor = h('div', {});
  const pintar = () => contenedor.replaceChildren(...contenido(t, (nuevo) => { Object.assign(t, nuevo); pintar(); }));
  pintar();
  return contenedor;
}

function contenido(t, actualizar) {
  const res = h('div', { 'aria-live': 'polite', id: `res-${t.id}` });
  const titulo = h('h3', {}, `Ticket ${t.numero} · ${t.tipo === 'instalacion' ? 'Instalación' : 'Soporte'}`);
  const datos = [titulo, h('p', {}, t.descripcion),
    h('p', {}, `Estado: ${NOMBRES[t.estado] ?? t.estado}`, t.fechaProgramada ? ` · ${dia(t.fechaProgramada)}` : '', t.franjaHoraria ? ` (${FRANJAS[t.franjaHoraria] ?? t.franjaHoraria})` : ''), res];
  if (!abierto(t)) return datos;
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
      cerrable(t) ? h('button', { type: 'button', class: 'secundario', onclick: () => cerrar(t, res, form, actualizar) }, 'Cerrar ticket') : null));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const estado = form.estado.value;
    if (!validarFormulario(form, estado === 'instalado' ? { serialRouter: requerido } : {})) return;
    const valor = (n) => form.elements[n]?.value.trim() || null;
    try {
      // PATCH /progreso → { ticket, contratoActivadoEl?, router?: { id, serial, mac, claveDispositivo } }
      const a = await api.patch(`/api/tickets/${t.id}/progreso`, { estado, nota: valor('nota'), serialRouter: valor('serialRouter'), modeloRouter: valor('modeloRouter'), mac: valor('mac') });
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

async function cerrar(t, res, form, actualizar) {
  try {
    const cerrado = await api.patch(`/api/tickets/${t.id}/cerrar`, { nota: form.nota.value.trim() || null });
    actualizar(cerrado);
    anunciar(`Ticket ${t.numero} cerrado.`);
    document.getElementById(`res-${t.id}`)?.replaceChildren(h('p', { class: 'exito', role: 'status' }, `Ticket ${t.numero} cerrado.`));
  } catch (e) { mostrarError(res, e, form); }
}

iniciarPortal({ roles: ['tecnico', 'admin'], vistas: [{ id: 'tickets', titulo: 'Tickets de hoy', roles: ['tecnico', 'admin'], render: tickets }] });
