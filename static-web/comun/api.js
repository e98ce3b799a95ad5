// Cliente HTTP de los portales: token Bearer, X-Correlation-Id por petición, Idempotency-Key cuando se pide,
// y los errores problem+json convertidos en ErrorApi (401 → volver a iniciar sesión).
import { token, cerrarSesion } from './auth.js';

export class ErrorApi extends Error {
  constructor(status, problema) {
    super(problema?.detail || problema?.title || `Error ${status}`);
    this.status = status;
    this.titulo = problema?.title || tituloPorEstado(status);
    this.detalle = problema?.detail || '';
    this.errores = problema?.errors || {};
    this.cid = problema?.cid || '';
    this.codigo = problema?.code || '';
    // Ruta de lo que causó un conflicto (p. ej. la corrida en curso del periodo).
    this.recurso = problema?.recurso || '';
  }
}

export function tituloPorEstado(status) {
  if (status === 0) return 'Sin conexión con el servidor';
  if (status === 401) return 'Su sesión terminó';
  if (status === 403) return 'No tiene permiso';
  if (status === 404) return 'No encontrado';
  if (status === 409) return 'Conflicto';
  if (status >= 500) return 'Error del servidor';
  return 'No se pudo completar la operación';
}

export const nuevoUuid = () => crypto.randomUUID();

// Mientras haya peticiones o una vista pintándose, #contenido lleva aria-busy="true": los lectores de pantalla
// esperan al contenido completo, y las pruebas del navegador saben cuándo la página terminó de cargar.
let enCurso = 0;
function marcarOcupado() {
  const main = document.getElementById('contenido');
  if (enCurso > 0) main?.setAttribute('aria-busy', 'true'); else main?.removeAttribute('aria-busy');
}
/** Marca el contenido como ocupado mientras la promesa no termine. */
export async function trabajando(promesa) {
  enCurso++; marcarOcupado();
  try { return await promesa; } finally { enCurso--; marcarOcupado(); }
}

/** Hace una petición JSON. opciones: { metodo, cuerpo, idempotencia (clave), crudo (devuelve Response) } */
export function pedir(ruta, opciones = {}) {
  return trabajando(pedirAhora(ruta, opciones));
}

async function pedirAhora(ruta, { metodo = 'GET', cuerpo, idempotencia, crudo = false } = {}) {
  const encabezados = { 'Accept': 'application/json, application/problem+json', 'X-Correlation-Id': nuevoUuid() };
  const t = token();
  if (t) encabezados['Authorization'] = `Bearer ${t}`;
  if (cuerpo !== undefined) encabezados['Content-Type'] = 'application/json';
  if (idempotencia) encabezados['Idempotency-Key'] = idempotencia;
  let r;
  try {
    r = await fetch(ruta, { method: metodo, headers: encabezados, body: cuerpo === undefined ? undefined : JSON.stringify(cuerpo) });
  } catch {
    throw new ErrorApi(0, { title: tituloPorEstado(0), detail: 'Revise su conexión e intente de nuevo.' });
  }
  if (!r.ok) {
    let problema = null;
    try { problema = await r.json(); } catch { /* sin cuerpo */ }
    const e = new ErrorApi(r.status, problema);
    if (r.status === 401 && t) {
      cerrarSesion();
      window.dispatchEvent(new CustomEvent('sesion-terminada', { detail: e }));
    }
    throw e;
  }
  if (crudo) return r;
  if (r.status === 204) return null;
  const tipo = r.headers.get('Content-Type') || '';
  return tipo.includes('json') ? r.json() : r.text();
}

export const api = {
  get: (ruta) => pedir(ruta),
  post: (ruta, cuerpo, idempotencia) => pedir(ruta, { metodo: 'POST', cuerpo, idempotencia }),
  patch: (ruta, cuerpo) => pedir(ruta, { metodo: 'PATCH', cuerpo }),
};

/** Toda lista del API llega como una sola forma de página { pagina, tamano, total, elementos } (ver /api/openapi.json). */
export const lista = (pagina) => {
  if (!Array.isArray(pagina?.elementos)) throw new Error('La respuesta no es una página { pagina, tamano, total, elementos }.');
  return pagina.elementos;
};

/** Descarga un recurso autenticado (XML, PDF) como archivo. */
export async function descargar(ruta, nombre) {
  const r = await pedir(ruta, { crudo: true });
  const url = URL.createObjectURL(await r.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: nombre });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
