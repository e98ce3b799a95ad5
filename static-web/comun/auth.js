// Sesión del portal: el token vive en sessionStorage (se borra al cerrar la pestaña).
const CLAVE = 'telecable.token';
const CLAVE_USUARIO = 'telecable.usuario';

export const token = () => sessionStorage.getItem(CLAVE);
export const usuario = () => JSON.parse(sessionStorage.getItem(CLAVE_USUARIO) || 'null');

export function guardarSesion(t, u) {
  sessionStorage.setItem(CLAVE, t);
  if (u) sessionStorage.setItem(CLAVE_USUARIO, JSON.stringify(u));
}
export function guardarUsuario(u) { sessionStorage.setItem(CLAVE_USUARIO, JSON.stringify(u)); }

export function cerrarSesion() {
  sessionStorage.removeItem(CLAVE);
  sessionStorage.removeItem(CLAVE_USUARIO);
}

export const tieneRol = (u, roles) => !!u && (u.roles || []).some((r) => roles.includes(r));
