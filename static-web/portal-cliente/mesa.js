// Soporte del cliente (issue 21): sus tickets con estados en palabras, mensajes al equipo, confirmar la solución,
// reabrir o cancelar (con confirmación), y la página de ayuda con las preguntas frecuentes (GET /api/faq).
import { api, lista } from '../comun/api.js';
import { fecha } from '../comun/formato.js';
import { h, campo, mostrarError, validarFormulario, ocupado, anunciar, confirmar } from '../comun/ui.js';
import { requerido } from '../comun/validacion.js';
import { ESTADOS_TICKET, TIPOS_TICKET, PRIORIDADES, etiqueta } from '../comun/etiquetas.js';

const ABIERTOS = ['abierto', 'asignado', 'en_atencion'];

function accion(texto, clase, ejecutar) {
  const b = h('button', { type: 'button', class: clase }, texto);
  b.addEventListener('click', () => ocupado(b, ejecutar));
  return b;
}

function tarjetaTicket(t, repintar) {
  const caja = h('div', { 'aria-live': 'polite' });
  const hacer = (ruta, cuerpo, mensaje) => async () => {
    try {
      await api.post(`/api/tickets/${encodeURIComponent(t.id)}/${ruta}`, cuerpo);
      anunciar(mensaje);
      await repintar(mensaje);
    } catch (e) { mostrarError(caja, e); }
  };
  const acciones = h('div', { class: 'acciones' });
  if (t.estado === 'resuelto') {
    acciones.append(
      accion('Sí, quedó resuelto', '', hacer('confirmacion', {}, `Ticket ${t.numero} cerrado. ¡Gracias!`)),
      accion('Sigue fallando', 'secundario', hacer('reapertura', { motivo: 'El cliente indica que el problema sigue.' }, `Ticket ${t.numero} reabierto.`)));
  }
  if (ABIERTOS.includes(t.estado) && t.tipo !== 'instalacion') {
    acciones.append(accion('Cancelar ticket', 'secundario', async () => {
      // Cancelar es definitivo: se pregunta antes.
      if (!await confirmar({ titulo: `¿Cancelar el ticket ${t.numero}?`, texto: 'Ya no lo atenderemos. Si el problema vuelve, abra un ticket nuevo.', aceptar: 'Sí, cancelar el ticket', cancelar: 'No, conservarlo' })) return;
      await hacer('cancelacion', { motivo: 'Cancelado por el cliente desde el portal.' }, `Ticket ${t.numero} cancelado.`)();
    }));
  }
  const mensajes = (t.eventos ?? []).filter((e) => e.nota);
  const form = h('form', { class: 'mensaje-ticket', novalidate: true, 'aria-label': `Mensaje sobre el ticket ${t.numero}` },
    campo('Escribir al equipo de soporte', 'texto', { tipo: 'textarea', id: `texto-${t.numero}`, required: true }),
    h('button', { type: 'submit', class: 'secundario' }, 'Enviar mensaje'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { texto: requerido })) return;
    await ocupado(form.querySelector('[type=submit]'), hacer('notas', { texto: form.texto.value.trim() }, 'Mensaje enviado.'));
  });
  return h('article', { class: 'tarjeta ticket', 'aria-labelledby': `ticket-${t.numero}` },
    h('h3', { id: `ticket-${t.numero}` }, `Ticket ${t.numero} · ${etiqueta(TIPOS_TICKET, t.tipo)}`),
    h('p', {}, h('strong', {}, etiqueta(ESTADOS_TICKET, t.estado)), ` · Prioridad ${etiqueta(PRIORIDADES, t.prioridad).toLowerCase()} · Abierto el ${fecha(t.createdAt)}`),
    h('p', {}, t.descripcion),
    mensajes.length ? h('details', {}, h('summary', {}, `Mensajes (${mensajes.length})`),
      h('ol', { class: 'conversacion' }, mensajes.map((e) => h('li', {}, h('span', { class: 'cuando' }, fecha(e.createdAt)), ' ', e.nota)))) : null,
    caja, acciones, t.estado === 'cerrado' || t.estado === 'cancelado' ? null : form);
}

export async function misTickets(el) {
  const aviso = h('div', { 'aria-live': 'polite' });
  const contenedor = h('div', {});
  const repintar = async (mensaje) => {
    const ts = lista(await api.get('/api/tickets?tamano=50')).filter((t) => t.tipo !== 'instalacion' || t.estado !== 'cerrado');
    // The detail carries the conversation (GET /api/tickets/{id}: internal notes never reach a customer).
    const detalles = await Promise.all(ts.slice(0, 20).map((t) => api.get(`/api/tickets/${encodeURIComponent(t.id)}`)));
    contenedor.replaceChildren(...(detalles.length ? detalles.map((t) => tarjetaTicket(t, repintar)) : [h('p', { class: 'vacio' }, 'No tiene tickets.')]));
    aviso.replaceChildren(mensaje ? h('p', { class: 'exito', role: 'status' }, mensaje) : '');
  };
  el.append(h('p', {}, 'Aquí ve el avance de sus tickets. ', h('a', { href: '#/soporte' }, 'Abrir un ticket nuevo')), aviso, contenedor);
  await repintar();
}

export async function ayuda(el) {
  const faq = lista(await api.get('/api/faq?tamano=200'));
  const porCategoria = new Map();
  for (const f of faq) porCategoria.set(f.categoria, [...(porCategoria.get(f.categoria) ?? []), f]);
  el.append(h('p', {}, '¿No encuentra su respuesta? Inicie sesión y abra un ticket en Soporte.'),
    ...[...porCategoria].map(([categoria, preguntas]) => h('section', { class: 'tarjeta faq' },
      h('h3', {}, categoria.charAt(0).toUpperCase() + categoria.slice(1).replace(/_/g, ' ')),
      ...preguntas.map((f) => h('details', {}, h('summary', {}, f.pregunta), h('p', {}, f.respuesta))))));
}
