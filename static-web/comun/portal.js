// Esqueleto común de los cuatro portales: inicio de sesión por rol, navegación por rol (#/vista),
// 401 → volver a iniciar sesión, rol sin acceso → "No tiene permiso".
import { api, ErrorApi, trabajando } from './api.js';
import { token, usuario, guardarSesion, guardarUsuario, cerrarSesion, tieneRol } from './auth.js';
import { h, mostrarError, anunciar } from './ui.js';
import { ROLES, etiqueta } from './etiquetas.js';

const roles = (u) => u.roles.map((r) => etiqueta(ROLES, r)).join(', ');

/**
 * @param {{ roles: string[], vistas: { id: string, titulo: string, roles?: string[], render: (el: HTMLElement, ctx: object) => Promise<void>|void }[] }} portal
 *   roles: quién puede usar el portal; una vista sin roles es pública; una vista con coincide(ruta) es un detalle fuera del menú.
 */
/**
 * Cuentas (POST /api/cuentas/sesion) primero; los usuarios de demostración del emisor de desarrollo
 * (POST /api/auth/token) si no hay cuenta con ese usuario. Bloqueo y cuenta sin verificar se muestran tal cual.
 */
async function iniciarSesion(usuario, password) {
  try {
    return await api.post('/api/cuentas/sesion', { usuario, password });
  } catch (e) {
    if (!(e instanceof ErrorApi) || !(e.status === 401 || e.status === 404)) throw e;
    return api.post('/api/auth/token', { usuario, password });
  }
}

export function iniciarPortal(portal) {
  const main = document.getElementById('contenido');
  const nav = document.getElementById('navegacion');
  const sesion = document.getElementById('sesion');
  let aviso = '';

  const visibles = (u) => portal.vistas.filter((v) => !v.roles || tieneRol(u, v.roles));

  function pintarNavegacion(u) {
    const actual = vistaPedida();
    const enlaces = visibles(u).filter((v) => !v.coincide).map((v) => h('li', {}, h('a', { href: `#/${v.id}`, 'aria-current': actual === v.id ? 'page' : false }, v.titulo)));
    nav.replaceChildren(h('ul', {}, enlaces));
    nav.hidden = enlaces.length === 0;
    // En un teléfono la franja se desliza: la sección actual queda a la vista. En el siguiente cuadro, cuando la vista ya
    // se pintó en el DOM: leer la geometría aquí forzaría un cálculo de estilos y de layout de más en plena carga.
    const actualEnlace = nav.querySelector('[aria-current="page"]');
    if (actualEnlace) requestAnimationFrame(() => actualEnlace.scrollIntoView({ block: 'nearest', inline: 'nearest' }));
    sesion.replaceChildren(u
      ? h('span', {}, h('span', { class: 'quien' }, `${u.nombre} (${roles(u)})`), ' ',
        h('button', { type: 'button', class: 'secundario', onclick: salir }, 'Cerrar sesión'))
      : (actual === 'ingresar' ? '' : h('a', { href: '#/ingresar', class: 'boton-enlace' }, 'Iniciar sesión')));
  }

  function salir() {
    // Cierra la sesión también en el servidor (sus tokens dejan de valer); si falla, igual se olvida aquí.
    if (token()) api.post('/api/cuentas/sesion/cerrar').catch(() => {});
    cerrarSesion();
    aviso = 'Sesión cerrada.';
    ir('ingresar');
  }

  // Cambiar el hash dispara hashchange (que pinta); si no cambia, se pinta aquí.
  const ir = (id) => { if (location.hash === `#/${id}`) mostrar(); else location.hash = `#/${id}`; };

  const vistaPedida = () => (location.hash.match(/^#\/([\w-]+)/) || [])[1] || '';

  function formularioIngreso() {
    const caja = h('div', { id: 'ingreso-error' });
    const form = h('form', { class: 'tarjeta formulario-ingreso', novalidate: true, 'aria-labelledby': 'titulo-ingreso' },
      h('h2', { id: 'titulo-ingreso', tabindex: '-1' }, 'Iniciar sesión'),
      aviso ? h('p', { class: 'aviso', role: 'status' }, aviso) : null,
      caja,
      h('div', { class: 'campo' }, h('label', { for: 'usuario' }, 'Usuario'), h('input', { id: 'usuario', name: 'usuario', autocomplete: 'username', required: true })),
      h('div', { class: 'campo' }, h('label', { for: 'password' }, 'Contraseña'), h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
      h('button', { type: 'submit' }, 'Entrar'),
      portal.enlacesIngreso?.length ? h('ul', { class: 'enlaces-ingreso' }, portal.enlacesIngreso.map(([href, texto]) => h('li', {}, h('a', { href }, texto)))) : null);
    aviso = '';
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const b = form.querySelector('button[type=submit]');
      b.disabled = true;
      try {
        const t = await iniciarSesion(form.usuario.value.trim(), form.password.value);
        guardarSesion(t.accessToken);
        guardarUsuario(await api.get('/api/auth/yo'));
        anunciar('Sesión iniciada.');
        const u = usuario();
        ir(visibles(u).find((v) => v.roles && !v.coincide)?.id || visibles(u)[0]?.id || '');
      } catch (e) {
        mostrarError(caja, e, form);
        if (!form.querySelector('[aria-invalid="true"]')) caja.querySelector('[role=alert]')?.setAttribute('tabindex', '-1');
      } finally { b.disabled = false; }
    });
    return form;
  }

  async function mostrar() {
    let u = token() ? usuario() : null;
    if (token() && !u) {
      try { u = await api.get('/api/auth/yo'); guardarUsuario(u); } catch { u = null; }
    }
    const pedida = vistaPedida();
    pintarNavegacion(u);
    if (u && !tieneRol(u, portal.roles)) {
      main.replaceChildren(h('section', { class: 'tarjeta sin-permiso' },
        h('h2', { tabindex: '-1' }, 'No tiene permiso'),
        h('p', {}, `Su usuario (${roles(u)}) no tiene permiso para usar este portal.`),
        h('button', { type: 'button', onclick: salir }, 'Cerrar sesión e ingresar con otro usuario')));
      anunciar('No tiene permiso para usar este portal.');
      return;
    }
    const disponibles = visibles(u);
    let vista = disponibles.find((v) => v.id === pedida || v.coincide?.(pedida));
    if (!vista) {
      const protegida = portal.vistas.some((v) => (v.id === pedida || v.coincide?.(pedida)) && v.roles);
      const porDefecto = u ? (disponibles.find((v) => v.roles) || disponibles[0]) : disponibles[0];
      if (pedida === 'ingresar' || protegida || !porDefecto) {
        main.replaceChildren(formularioIngreso());
        return;
      }
      vista = porDefecto;
    }
    return pintarVista(vista, u);
  }

  async function pintarVista(vista, u) {
    const cuerpo = h('div', { class: 'vista-cuerpo' });
    const titulo = h('h2', { tabindex: '-1' }, vista.titulo);
    main.replaceChildren(h('section', { class: 'vista', 'aria-labelledby': `v-${vista.id}`, id: `vista-${vista.id}` }, Object.assign(titulo, { id: `v-${vista.id}` }), cuerpo));
    nav.querySelectorAll('a').forEach((a) => (a.getAttribute('href') === `#/${vista.id}` ? a.setAttribute('aria-current', 'page') : a.removeAttribute('aria-current')));
    try {
      await trabajando(vista.render(cuerpo, { usuario: u, navegar: ir }));
    } catch (e) {
      if (!(e instanceof ErrorApi && e.status === 401)) mostrarError(cuerpo, e);
    }
  }

  // El enlace «Saltar al contenido» enfoca main sin tocar el hash, que aquí es la ruta del portal.
  document.querySelector('.saltar')?.addEventListener('click', (ev) => { ev.preventDefault(); main.focus(); });

  window.addEventListener('hashchange', async () => {
    await mostrar();
    main.querySelector('h2')?.focus();
  });
  window.addEventListener('sesion-terminada', () => {
    aviso = 'Su sesión terminó. Inicie sesión de nuevo.';
    ir('ingresar');
  });
  mostrar();
}
