// Validación en línea (la misma que aplica la API: RFC con dígito verificador, email, teléfono, CP).
const CARACTERES = '0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ';

export function digitoVerificadorRfc(rfc12o13) {
  const base = rfc12o13.length === 12 ? ` ${rfc12o13}` : rfc12o13; // moral: se antepone un espacio
  let suma = 0;
  for (let i = 0; i < 12; i++) {
    const v = CARACTERES.indexOf(base[i]);
    if (v < 0) return null;
    suma += v * (13 - i);
  }
  const r = 11 - (suma % 11);
  return r === 11 ? '0' : r === 10 ? 'A' : String(r);
}

export function validarRfc(valor) {
  const rfc = (valor || '').trim().toUpperCase();
  if (!rfc) return 'El RFC es obligatorio.';
  if (!/^([A-ZÑ&]{3,4})(\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([A-Z\d]{2})([A\d])$/.test(rfc))
    return 'El RFC no tiene el formato correcto (por ejemplo XAXX010101000).';
  if (rfc === 'XAXX010101000' || rfc === 'XEXX010101000') return null; // RFC genéricos del SAT
  if (digitoVerificadorRfc(rfc) !== rfc.at(-1)) return 'El dígito verificador del RFC no coincide.';
  return null;
}
export const validarEmail = (v) => (/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test((v || '').trim()) ? null : 'Escriba un correo electrónico válido.');
export const validarTelefono = (v) => (/^\d{10}$/.test((v || '').replace(/[\s-]/g, '')) ? null : 'El teléfono debe tener 10 dígitos.');
export const validarCp = (v) => (/^\d{5}$/.test((v || '').trim()) ? null : 'El código postal debe tener 5 dígitos.');
export const requerido = (v) => ((v || '').trim() ? null : 'Este campo es obligatorio.');
