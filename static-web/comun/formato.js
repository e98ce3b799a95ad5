// Formatos es-MX: dinero "$1,234.50 MXN", fechas en America/Mexico_City.
const moneda = new Intl.NumberFormat('es-MX', { style: 'currency', currency: 'MXN' });
const fechaHora = new Intl.DateTimeFormat('es-MX', { timeZone: 'America/Mexico_City', dateStyle: 'medium', timeStyle: 'short' });
const soloFecha = new Intl.DateTimeFormat('es-MX', { timeZone: 'America/Mexico_City', dateStyle: 'medium' });
const numero = new Intl.NumberFormat('es-MX');

export const dinero = (v) => (v === null || v === undefined || v === '' ? '—' : `${moneda.format(Number(v))} MXN`);
export const fecha = (v) => (v ? fechaHora.format(new Date(v)) : '—');
export const dia = (v) => {
  if (!v) return '—';
  // "2026-11-28" es un día civil: se muestra tal cual, sin corrimiento por zona horaria.
  const d = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T12:00:00-06:00`) : new Date(v);
  return soloFecha.format(d);
};
export const entero = (v) => (v === null || v === undefined ? '—' : numero.format(v));

/** Hoy en America/Mexico_City como AAAA-MM-DD. */
export function hoyMx() {
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Mexico_City', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  return p;
}
