#!/usr/bin/env python3
"""Generates shared/Telecable.Infrastructure/Seed/demo.sql (the demo data set).

Deterministic: run it again and the output is byte-identical. The SQL it writes is idempotent
(fixed UUIDs / natural keys, ON CONFLICT DO NOTHING), so applying it twice changes nothing.

    python3 tools/seed-generator/generar_demo.py            # rewrites the seed
    python3 tools/seed-generator/generar_demo.py --check    # exit 1 if the seed is out of date

Fixed ids: 00000000-0000-0000-0000-00000000Knnn, K = one hex digit per table, nnn = 001..999
  1 zonas  2 planes  3 combos  4 promociones  5 precios_plan_zona  6 consentimientos
  7 routers  8 tickets  9 faq  a domicilios  b contratos  c clientes  d ticket_eventos  e tecnicos
so the demo customer is ...00000000c001 and the demo technician ...00000000e001.
"""
import hashlib
import json
import random
import sys
import unicodedata
from datetime import date, timedelta
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[2]
SALIDA = RAIZ / "shared/Telecable.Infrastructure/Seed/demo.sql"
# The seed routers' device keys, as provisioned into them (the emulator's key store; never guessed from a serial).
SALIDA_CLAVES = RAIZ / "tools/Telecable.RouterEmulator/claves-demo.json"

# --- RFC (same algorithm as Telecable.Domain.Identidad.Rfc) -------------------------------------
ALFABETO = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"
HOMOCLAVE = "123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"


def digito_verificador(sin_digito: str) -> str:
    base = " " + sin_digito if len(sin_digito) == 11 else sin_digito
    assert len(base) == 12, sin_digito
    suma = sum(ALFABETO.index(c) * (13 - i) for i, c in enumerate(base))
    d = 11 - suma % 11
    return "0" if d == 11 else "A" if d == 10 else str(d)


def sin_acentos(texto: str) -> str:
    # Keeps Ñ (SAT keeps it in names), drops the other diacritics.
    salida = []
    for c in texto:
        if c in "Ññ":
            salida.append(c.upper())
            continue
        salida.append(unicodedata.normalize("NFD", c)[0])
    return "".join(salida).upper()


def homoclave(semilla: str) -> str:
    h = hashlib.sha256(semilla.encode()).digest()
    return HOMOCLAVE[h[0] % len(HOMOCLAVE)] + HOMOCLAVE[h[1] % len(HOMOCLAVE)]


PARTICULAS = {"DE", "LA", "LAS", "LOS", "DEL", "Y", "MC", "MAC", "VON", "VAN"}


def sin_particulas(apellido: str) -> str:
    palabras = [p for p in apellido.split() if p not in PARTICULAS]
    return " ".join(palabras) or apellido


def rfc_fisica(nombre: str, paterno: str, materno: str, nacimiento: date) -> str:
    nombre = sin_acentos(nombre)
    paterno, materno = sin_particulas(sin_acentos(paterno)), sin_particulas(sin_acentos(materno))
    nombres = nombre.split()
    pila = nombres[1] if len(nombres) > 1 and nombres[0] in ("JOSE", "MARIA", "MA.", "J.") else nombres[0]
    vocal = next(c for c in paterno[1:] if c in "AEIOU")
    letras = (paterno[0] + vocal + materno[0] + pila[0]).replace("Ñ", "X")
    base = letras + nacimiento.strftime("%y%m%d") + homoclave(f"{nombre}|{paterno}|{materno}")
    return base + digito_verificador(base)


def rfc_moral(siglas: str, constitucion: date, razon: str) -> str:
    base = siglas + constitucion.strftime("%y%m%d") + homoclave(razon)
    return base + digito_verificador(base)


# --- helpers ----------------------------------------------------------------------------------
def uid(k: str, n: int) -> str:
    assert len(k) == 1 and 1 <= n <= 999
    return f"00000000-0000-0000-0000-00000000{k}{n:03d}"


def q(v) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int,)):
        return str(v)
    if isinstance(v, date):
        return f"'{v.isoformat()}'"
    return "'" + str(v).replace("'", "''") + "'"


def insert(tabla: str, columnas: list[str], filas: list[tuple], conflicto: str = "") -> str:
    cols = ", ".join(columnas)
    cuerpo = ",\n".join("    (" + ", ".join(q(v) for v in f) + ")" for f in filas)
    return f"INSERT INTO {tabla} ({cols}) VALUES\n{cuerpo}\nON CONFLICT {conflicto}DO NOTHING;\n"


# --- geography --------------------------------------------------------------------------------
NL = "Nuevo León"
MUNICIPIOS = [
    ("19039", "Monterrey"), ("19019", "San Pedro Garza García"), ("19026", "Guadalupe"),
    ("19046", "San Nicolás de los Garza"), ("19006", "Apodaca"), ("19048", "Santa Catarina"),
    ("19021", "General Escobedo"),
]
MUN = dict(MUNICIPIOS)

# (n, clave, nombre, municipio, tecnologias, factor de precio, {cp: [colonias]}, calles)
ZONAS = [
    (1, "MTY_CENTRO", "Monterrey Centro", "19039", ["FTTH", "HFC_DOCSIS"], 1.00,
     {"64000": ["Monterrey Centro"], "64060": ["Obispado"], "64460": ["Mitras Centro"]},
     ["Calle Padre Mier", "Av. Benito Juárez", "Calle Hidalgo", "Calle Zaragoza", "Av. Constitución"]),
    (2, "SPGG", "San Pedro Garza García", "19019", ["FTTH", "HFC_DOCSIS"], 1.10,
     {"66220": ["Del Valle"], "66260": ["Residencial San Agustín"], "66269": ["Valle Oriente"]},
     ["Av. José Vasconcelos", "Calzada del Valle", "Av. Ricardo Margáin", "Río Amazonas", "Av. Gómez Morín"]),
    (3, "MTY_CUMBRES", "Cumbres", "19039", ["FTTH"], 1.00,
     {"64610": ["Cumbres 1er Sector", "Cumbres 2do Sector", "Cumbres 3er Sector"], "64349": ["Cumbres Elite"],
      "64346": ["Cumbres San Agustín"]},
     ["Av. Paseo de los Leones", "Av. Raúl Rangel Frías", "Av. Alejandro de Rodas", "Calle Sierra Madre"]),
    (4, "GUADALUPE", "Guadalupe", "19026", ["FTTH", "HFC_DOCSIS"], 1.00,
     {"67100": ["Guadalupe Centro"], "67110": ["Jardines de Guadalupe"], "67140": ["Linda Vista"]},
     ["Av. Pablo Livas", "Av. Benito Juárez", "Av. Eloy Cavazos", "Av. Miguel Alemán"]),
    (5, "SAN_NICOLAS", "San Nicolás de los Garza", "19046", ["FTTH", "HFC_DOCSIS"], 1.00,
     {"66400": ["San Nicolás de los Garza Centro"], "66450": ["Anáhuac"], "66455": ["Ciudad Universitaria"]},
     ["Av. Universidad", "Av. Manuel L. Barragán", "Av. Diego Díaz de Berlanga", "Av. Santo Domingo"]),
    (6, "APODACA", "Apodaca", "19006", ["FTTH"], 0.95,
     {"66600": ["Apodaca Centro"], "66610": ["Pueblo Nuevo"], "66633": ["Villas de San Francisco"]},
     ["Av. Miguel Alemán", "Calle Morelos", "Av. Concordia", "Av. Las Américas"]),
    (7, "SANTA_CATARINA", "Santa Catarina", "19048", ["HFC_DOCSIS"], 0.95,
     {"66350": ["Santa Catarina Centro"], "66360": ["La Fama"], "66367": ["Infonavit Las Cumbres"]},
     ["Av. Manuel Ordóñez", "Blvd. Gustavo Díaz Ordaz", "Calle Juárez", "Av. Industriales del Poniente"]),
    (8, "ESCOBEDO", "General Escobedo", "19021", ["FTTH", "HFC_DOCSIS"], 0.95,
     {"66050": ["General Escobedo Centro"], "66055": ["Valle de San Miguel"], "66062": ["Fomerrey 9"]},
     ["Av. Raúl Salinas", "Av. Sendero Divisorio", "Av. Juárez", "Calle Monterrey"]),
]

TECNOLOGIAS = [
    ("FTTH", "Fibra óptica al hogar (GPON)", "Red pasiva de fibra hasta el domicilio; velocidades simétricas."),
    ("HFC_DOCSIS", "Cable coaxial híbrido (DOCSIS 3.1)", "Red híbrida fibra-coaxial con cablemódem DOCSIS."),
]

# --- catalog ----------------------------------------------------------------------------------
# (n, clave, nombre, tipo, tecnologia, bajada, subida, canales, lineas, activo, prod_serv, tasa_ieps, precio base)
PLANES = [
    (1, "INT-FTTH-100", "Fibra 100 Mbps", "internet", "FTTH", 100, 100, None, None, True, "81161700", "0", 345.00),
    (2, "INT-FTTH-300", "Fibra 300 Mbps", "internet", "FTTH", 300, 300, None, None, True, "81161700", "0", 430.00),
    (3, "INT-FTTH-500", "Fibra 500 Mbps", "internet", "FTTH", 500, 500, None, None, True, "81161700", "0", 515.00),
    (4, "INT-FTTH-1000", "Fibra 1 Gbps", "internet", "FTTH", 1000, 1000, None, None, True, "81161700", "0", 775.00),
    (5, "INT-HFC-50", "Cable 50 Mbps", "internet", "HFC_DOCSIS", 50, 10, None, None, True, "81161700", "0", 260.00),
    (6, "INT-HFC-100", "Cable 100 Mbps", "internet", "HFC_DOCSIS", 100, 20, None, None, True, "81161700", "0", 340.00),
    (7, "TV-BASICA", "TV Básica", "tv", None, None, None, 85, None, True, "83111801", "0.030000", 190.00),
    (8, "TV-PREMIUM", "TV Premium", "tv", None, None, None, 220, None, True, "83111801", "0.030000", 390.00),
    (9, "TEL-ILIMITADA", "Telefonía ilimitada", "telefonia", None, None, None, None, 1, True, "83111501", "0.030000", 130.00),
    (10, "INT-HFC-20", "Cable 20 Mbps (descontinuado)", "internet", "HFC_DOCSIS", 20, 5, None, None, False, "81161700", "0", 199.00),
]
PLAN = {p[0]: p for p in PLANES}

# (n, clave, nombre, descripcion, [(plan, precio parte)])
COMBOS = [
    (1, "DOBLE-FTTH-300-TV", "Doble Play Fibra 300 + TV Básica", "Internet por fibra de 300 Mbps con TV Básica.",
     [(2, 410.00), (7, 150.00)]),
    (2, "TRIPLE-FTTH-500", "Triple Play Fibra 500", "Fibra de 500 Mbps, TV Premium y telefonía ilimitada.",
     [(3, 490.00), (8, 320.00), (9, 90.00)]),
    (3, "DOBLE-HFC-100-TEL", "Doble Play Cable 100 + Telefonía", "Internet por cable de 100 Mbps con telefonía ilimitada.",
     [(6, 320.00), (9, 90.00)]),
]
COMBO = {c[0]: c for c in COMBOS}

# (n, clave, nombre, descripcion, tipo, valor, meses, desde, hasta, plan, combo, zona)
PROMOCIONES = [
    (1, "FTTH500-50-3M", "Fibra 500 a mitad de precio", "50% de descuento los primeros 3 meses en Fibra 500.",
     "porcentaje", "50.00", 3, date(2026, 1, 1), date(2026, 12, 31), 3, None, None),
    (2, "TRIPLE-100-6M", "Triple Play con $100 de descuento", "$100 menos al mes durante 6 meses en el Triple Play Fibra 500.",
     "monto_fijo", "100.00", 6, date(2026, 6, 1), date(2027, 5, 31), None, 2, None),
    (3, "CUMBRES-GIGA-20", "Giga Cumbres", "20% de descuento 12 meses en Fibra 1 Gbps para la zona Cumbres.",
     "porcentaje", "20.00", 12, date(2026, 9, 1), date(2027, 3, 31), 4, None, 3),
]
PROMO = {p[0]: p for p in PROMOCIONES}

TECNICOS = [
    (1, "Juan Carlos Treviño Salinas", [3, 1]), (2, "Luis Alberto Garza Cantú", [2, 1]),
    (3, "Miguel Ángel Rodríguez Leal", [4]), (4, "José Guadalupe Hernández Villarreal", [5]),
    (5, "Ricardo Martínez Elizondo", [6, 5]), (6, "Óscar Daniel Sánchez Zambrano", [7]),
    (7, "Héctor Javier Flores Guerra", [8]), (8, "Arturo González Cavazos", [1, 2]),
    (9, "Diana Laura Rodríguez Tamez", [3]), (10, "Fernando Ramírez Salazar", [4, 8]),
    (11, "Jorge Eduardo Castillo Montemayor", [6]), (12, "Alejandra Pérez Garza", [7, 2]),
]

NOMBRES_H = ["José Luis", "Carlos", "Jorge", "Eduardo", "Alejandro", "Roberto", "Francisco", "Javier",
             "Raúl", "Sergio", "Gerardo", "Rodrigo", "Mauricio", "Daniel", "Andrés", "Emilio"]
NOMBRES_M = ["María Fernanda", "Ana Sofía", "Daniela", "Gabriela", "Patricia", "Verónica", "Karla",
             "Adriana", "Lorena", "Claudia", "Mónica", "Valeria", "Ximena", "Regina", "Paulina", "Sandra"]
APELLIDOS = ["Garza", "Treviño", "González", "Rodríguez", "Martínez", "Hernández", "Villarreal", "Cantú",
             "Elizondo", "Salinas", "Leal", "Cavazos", "Zambrano", "Guerra", "Tamez", "Montemayor", "Sada",
             "Lozano", "Ramos", "Flores", "Ibarra", "Peña", "Muñoz", "Quintanilla", "Saldaña", "Chapa",
             "De la Garza", "Benavides", "Sepúlveda", "Moreno"]

# Personas morales: (razón social as in the SAT constancia, without the régimen societario; siglas; constitución)
MORALES = [
    ("PANADERIA LA ESPIGA DEL NORTE", "PEN", date(1998, 3, 12)),
    ("CONSULTORES R&S DE MONTERREY", "R&S", date(2009, 7, 1)),
    ("TALLER MECANICO HERMANOS CANTU", "TMH", date(2004, 11, 23)),
    ("ÑU COMUNICACIONES DEL NORTE", "ÑCN", date(2015, 2, 28)),
    ("CLINICA DENTAL SONRISA REGIA", "CDS", date(2012, 5, 9)),
    ("DESPACHO CONTABLE SALINAS Y ASOCIADOS", "DCS", date(1995, 8, 30)),
    ("ABARROTES DON PEPE", "ADP", date(2018, 1, 15)),
    ("COLEGIO BILINGUE VALLE ALTO", "CBV", date(2000, 2, 29)),
]

FAQ = [
    ("Contratación", "¿Qué necesito para contratar?",
     "Una identificación oficial vigente, un comprobante de domicilio reciente y, si requieres factura, tu constancia de situación fiscal. Puedes contratar en línea, por teléfono o en sucursal."),
    ("Contratación", "¿Cómo sé si hay cobertura en mi domicilio?",
     "Captura tu código postal en la sección Cobertura. Te mostraremos la tecnología disponible (fibra óptica o cable) y los planes con su precio para tu zona."),
    ("Instalación", "¿Cuánto tarda la instalación?",
     "Normalmente de 2 a 5 días hábiles después de la contratación. Un técnico te confirmará la fecha y la franja horaria (matutina o vespertina)."),
    ("Instalación", "¿Tiene costo la instalación?",
     "La instalación estándar está incluida en todos los planes. Cableado adicional o instalaciones especiales se cotizan antes de realizarse."),
    ("Facturación", "¿Cuándo se genera mi factura?",
     "Tu factura (CFDI 4.0) se emite cada mes en tu día de corte y la recibes por correo electrónico; también puedes descargar el XML y el PDF desde el portal."),
    ("Facturación", "¿Cómo actualizo mis datos fiscales?",
     "En el portal, sección Mis datos fiscales. El nombre, el RFC, el régimen fiscal y el código postal deben coincidir exactamente con tu constancia de situación fiscal."),
    ("Pagos", "¿Qué formas de pago aceptan?",
     "Tarjeta de crédito o débito, transferencia SPEI, pago en efectivo en tiendas OXXO con tu referencia, y domiciliación."),
    ("Pagos", "¿Qué pasa si pago de más?",
     "El excedente queda como saldo a favor y se aplica automáticamente a tu siguiente factura."),
    ("Soporte", "Mi internet está lento, ¿qué hago?",
     "Reinicia tu módem desde el portal o desconectándolo 30 segundos. Si continúa, abre un reporte en Soporte: revisaremos la señal de tu equipo a distancia."),
    ("Soporte", "¿Cómo cambio el nombre o la contraseña de mi red WiFi?",
     "Desde el portal, sección Mi equipo, o llamando a soporte. El cambio se aplica en unos minutos."),
    ("Privacidad", "¿Cómo usan mis datos personales?",
     "Conforme a nuestro Aviso de Privacidad. Puedes aceptar o rechazar el envío de promociones en cualquier momento desde tu perfil."),
    ("Cancelación", "¿Cómo cancelo mi servicio?",
     "Desde el portal o en sucursal. Al cancelar se emite la factura proporcional del último periodo y se agenda el retiro del equipo."),
]


COBRANZA_DEMO = """INSERT INTO facturas (id, serie, folio, cliente_id, contrato_id, periodo, subtotal, descuento, iva, ieps, total, metodo_pago, forma_pago,
                      uso_cfdi, estado, fecha_emision, fecha_vencimiento, uuid, receptor_rfc, receptor_nombre, receptor_regimen, receptor_cp,
                      ciclo_desde, ciclo_hasta)
SELECT v.id::uuid, 'A', v.folio, k.cliente_id, k.id, date_trunc('month', (now() AT TIME ZONE 'America/Mexico_City')::date + v.vence - 10)::date, k.precio_pactado, 0,
       round(k.precio_pactado * 0.16, 2), 0, k.precio_pactado + round(k.precio_pactado * 0.16, 2), 'PPD', '99', c.uso_cfdi, 'timbrada',
       ((now() AT TIME ZONE 'America/Mexico_City')::date + v.vence - 10)::timestamp AT TIME ZONE 'America/Mexico_City' + interval '6 hours', (now() AT TIME ZONE 'America/Mexico_City')::date + v.vence, v.uuid::uuid,
       c.rfc, c.nombre, c.regimen_fiscal, c.cp_fiscal, (now() AT TIME ZONE 'America/Mexico_City')::date + v.vence - 10, ((now() AT TIME ZONE 'America/Mexico_City')::date + v.vence - 10 + interval '1 month' - interval '1 day')::date
FROM (VALUES ('00000000-0000-0000-0000-00000000f001', 1, 'b002', 8, 'd3b07384-d9a0-4c9b-8d5e-6a1f2c3b4d01'),
             ('00000000-0000-0000-0000-00000000f002', 2, 'b003', -1, 'd3b07384-d9a0-4c9b-8d5e-6a1f2c3b4d02'),
             ('00000000-0000-0000-0000-00000000f003', 3, 'b005', -10, 'd3b07384-d9a0-4c9b-8d5e-6a1f2c3b4d03'),
             ('00000000-0000-0000-0000-00000000f004', 4, 'b009', -8, 'd3b07384-d9a0-4c9b-8d5e-6a1f2c3b4d04'))
     AS v (id, folio, contrato, vence, uuid)
JOIN contratos k ON k.id = ('00000000-0000-0000-0000-00000000' || v.contrato)::uuid
JOIN clientes c ON c.id = k.cliente_id
ON CONFLICT DO NOTHING;
UPDATE series_folios SET ultimo_folio = 4 WHERE serie = 'A' AND ultimo_folio < 4;
INSERT INTO cobranza_etapas (factura_id, etapa, ocurrida_en, cid) VALUES
    ('00000000-0000-0000-0000-00000000f002', 'recordatorio_vencida', now(), 'demo'),
    ('00000000-0000-0000-0000-00000000f004', 'recordatorio_vencida', now(), 'demo'),
    ('00000000-0000-0000-0000-00000000f003', 'recordatorio_vencida', now(), 'demo')
ON CONFLICT DO NOTHING;
INSERT INTO promesas_pago (id, cliente_id, hasta, motivo, registrada_por, cid)
VALUES ('00000000-0000-0000-0000-00000000f101', '00000000-0000-0000-0000-00000000c009', (now() AT TIME ZONE 'America/Mexico_City')::date + 5,
        'Paga con su quincena; cliente desde 2025 sin adeudos previos', 'cobranzas', 'demo')
ON CONFLICT DO NOTHING;
-- The suspension happens once: only when its stage is recorded now does the contract become suspended and the router told.
WITH etapa AS (
    INSERT INTO cobranza_etapas (factura_id, etapa, ocurrida_en, cid)
    VALUES ('00000000-0000-0000-0000-00000000f003', 'suspension', now(), 'demo')
    ON CONFLICT DO NOTHING RETURNING factura_id),
contrato AS (
    UPDATE contratos SET estado = 'suspendido', version = version + 1
    WHERE id = '00000000-0000-0000-0000-00000000b005' AND estado = 'activo' AND EXISTS (SELECT 1 FROM etapa) RETURNING id)
INSERT INTO router_comandos (router_id, tipo, solicitado_por)
SELECT r.id, 'suspender', 'cobranza' FROM routers r JOIN contrato k ON k.id = r.contrato_id;
"""


def main() -> int:
    claves: dict[str, str] = {}
    rnd = random.Random(20261127)
    out: list[str] = []
    w = out.append
    w("-- Demo data of Telecable Comercial (Monterrey, Nuevo León metro area).\n")
    w("-- GENERATED by tools/seed-generator/generar_demo.py: do not edit by hand; regenerate.\n")
    w("-- Idempotent: fixed ids / natural keys and ON CONFLICT DO NOTHING; running it twice changes nothing.\n")
    w("-- Run after the migrations, in one transaction (e.g. psql --single-transaction -v ON_ERROR_STOP=1).\n")
    w("-- Fixed ids: 00000000-0000-0000-0000-00000000Knnn (K per table: 1 zonas, 2 planes, 3 combos,\n")
    w("-- 4 promociones, 5 precios_plan_zona, 6 consentimientos, 7 routers, 8 tickets, 9 faq, a domicilios,\n")
    w("-- b contratos, c clientes, d ticket_eventos, e tecnicos). Demo customer: ...c001; demo technician: ...e001.\n")
    w("-- Seed routers authenticate with device key 'demo-key-<serial>'; device_key_hash = 'sha256:' || hex(sha256(key)).\n\n")

    w("-- Geography and coverage\n")
    w(insert("municipios", ["clave_inegi", "nombre", "estado"], [(c, n, NL) for c, n in MUNICIPIOS]))
    w(insert("zonas", ["id", "clave", "nombre", "municipio_clave", "created_at"],
             [(uid("1", z[0]), z[1], z[2], z[3], "2025-01-01T00:00:00-06:00") for z in ZONAS]))
    w(insert("tecnologias", ["clave", "nombre", "descripcion"], TECNOLOGIAS))
    w(insert("zona_tecnologias", ["zona_id", "tecnologia_clave", "disponible_desde"],
             [(uid("1", z[0]), t, date(2025, 1, 1) if t == "HFC_DOCSIS" else date(2025, 6, 1)) for z in ZONAS for t in z[4]]))
    w(insert("codigos_postales", ["cp", "zona_id", "municipio_clave"],
             [(cp, uid("1", z[0]), z[3]) for z in ZONAS for cp in z[6]]))
    w(insert("codigo_postal_colonias", ["cp", "colonia"],
             [(cp, col) for z in ZONAS for cp, cols in z[6].items() for col in cols]))

    w("\n-- Catalog\n")
    w(insert("planes", ["id", "clave", "nombre", "tipo", "tecnologia_clave", "velocidad_bajada_mbps",
                        "velocidad_subida_mbps", "canales", "lineas", "activo", "clave_prod_serv", "clave_unidad",
                        "tasa_ieps", "created_at", "updated_at"],
             [(uid("2", p[0]), p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], "E48", p[11],
               "2025-01-01T00:00:00-06:00", "2025-01-01T00:00:00-06:00") for p in PLANES]))
    precios = []
    precio_en = {}
    n = 0
    for z in ZONAS:
        for p in PLANES:
            if p[4] is not None and p[4] not in z[4]:
                continue
            n += 1
            precio = round(p[12] * z[5])
            precio = float(precio) if z[5] != 1.0 else p[12]
            precio_en[(p[0], z[0])] = precio
            precios.append((uid("5", n), uid("2", p[0]), uid("1", z[0]), f"{precio:.2f}", date(2026, 1, 1), None))
    w(insert("precios_plan_zona", ["id", "plan_id", "zona_id", "precio_mensual", "vigente_desde", "vigente_hasta"], precios))
    w(insert("combos", ["id", "clave", "nombre", "descripcion", "created_at", "updated_at"],
             [(uid("3", c[0]), c[1], c[2], c[3], "2025-01-01T00:00:00-06:00", "2025-01-01T00:00:00-06:00") for c in COMBOS]))
    w(insert("combo_planes", ["combo_id", "plan_id", "precio_mensual"],
             [(uid("3", c[0]), uid("2", p), f"{pr:.2f}") for c in COMBOS for p, pr in c[4]]))
    w(insert("promociones", ["id", "clave", "nombre", "descripcion", "tipo_descuento", "valor", "meses",
                             "vigente_desde", "vigente_hasta", "plan_id", "combo_id", "zona_id", "created_at"],
             [(uid("4", p[0]), p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8],
               uid("2", p[9]) if p[9] else None, uid("3", p[10]) if p[10] else None,
               uid("1", p[11]) if p[11] else None, "2025-12-15T00:00:00-06:00") for p in PROMOCIONES]))
    w(insert("series_folios", ["serie", "descripcion", "tipo_comprobante"],
             [("A", "Facturas mensuales de servicio (ingreso)", "I"),
              ("NC", "Notas de crédito (egreso)", "E"),
              ("P", "Complementos de pago (Pagos 2.0)", "P")]))

    w("\n-- Technicians\n")
    tecnicos = []
    for t in TECNICOS:
        tel = f"+5281{20000000 + t[0] * 104729:08d}"
        partes = sin_acentos(t[1]).lower().split()
        tecnicos.append((uid("e", t[0]), t[1], tel, f"{partes[0]}.{partes[-2]}@telecable.example.com",
                         5 if t[0] % 3 == 0 else 4, "2025-01-01T00:00:00-06:00", "2025-01-01T00:00:00-06:00"))
    w(insert("tecnicos", ["id", "nombre", "telefono", "email", "capacidad_diaria", "created_at", "updated_at"], tecnicos))
    w(insert("tecnico_zonas", ["tecnico_id", "zona_id"], [(uid("e", t[0]), uid("1", z)) for t in TECNICOS for z in t[2]]))

    # --- customers ---------------------------------------------------------------------------
    clientes, domicilios, consentimientos, contratos, routers, estados = [], [], [], [], [], []
    rfcs = set()
    zona_de = {}
    contrato_de = {}
    total = 60
    moral_en = {i: MORALES[k] for k, i in enumerate([6, 12, 19, 25, 33, 41, 48, 55])}
    for i in range(1, total + 1):
        if i == 1:
            zona = ZONAS[2]  # the demo customer lives in Cumbres (FTTH)
        else:
            zona = ZONAS[(i * 5) % len(ZONAS)]
        cp = sorted(zona[6])[i % len(zona[6])]
        colonia = zona[6][cp][i % len(zona[6][cp])]
        calle = zona[7][i % len(zona[7])]
        if i in moral_en:
            razon, siglas, constitucion = moral_en[i]
            rfc = rfc_moral(siglas, constitucion, razon)
            tipo, nombre = "moral", razon
            regimen, uso = "601", "G03"
            slug = "".join(c for c in sin_acentos(razon).lower() if c.isalnum())[:20]
            email = f"facturacion@{slug}.example.com"
        else:
            mujer = i % 2 == 1
            if i == 1:
                pila, pat, mat, nac = "Mariana", "Garza", "Treviño", date(1990, 4, 17)
            else:
                pila = rnd.choice(NOMBRES_M if mujer else NOMBRES_H)
                pat, mat = rnd.sample(APELLIDOS, 2)
                nac = date(1962, 1, 1) + timedelta(days=rnd.randrange(0, 40 * 365))
            rfc = rfc_fisica(pila, pat, mat, nac)
            tipo = "fisica"
            nombre = sin_acentos(f"{pila} {pat} {mat}")
            regimen, uso = [("605", "S01"), ("612", "G03"), ("626", "G03"), ("605", "S01"), ("626", "S01")][i % 5]
            p0 = sin_acentos(pila.split()[0]).lower().replace("ñ", "n")
            a0 = sin_acentos(pat).lower().replace(" ", "").replace("ñ", "n")
            email = "cliente.demo@example.com" if i == 1 else f"{p0}.{a0}{i}@example.com"
        assert rfc not in rfcs, rfc
        rfcs.add(rfc)
        cid = uid("c", i)
        zona_de[i] = zona
        tel = f"+5281{10000000 + i * 7919:08d}"
        estado_cliente = "suspendido" if i == 23 else "activo"
        creado = f"2025-{1 + i % 12:02d}-{1 + i % 27:02d}T10:{i % 60:02d}:00-06:00"
        clientes.append((cid, 100000 + i, tipo, nombre, rfc, email, tel, regimen, uso, cp, uid("1", zona[0]),
                         estado_cliente, creado, creado))
        domicilios.append((uid("a", i), cid, "instalacion", calle, str(100 + (i * 37) % 2400),
                           f"Depto {i % 9 + 1}" if i % 6 == 0 else None, colonia, cp, MUN[zona[3]], NL,
                           ["Casa de dos pisos, portón negro", "Frente a la plaza", "Entre tienda y farmacia",
                            "Esquina, barda blanca", None][i % 5], creado))
        consentimientos.append((uid("6", i), cid, "2025-01", i % 3 != 0, creado,
                                f"192.0.2.{i}" if i % 2 else None,
                                "portal_cliente" if i % 2 else "backoffice",
                                "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0" if i % 2 else None))

        # contract: plan or combo among what the zone offers
        techs = zona[4]
        if i == 1:
            plan, combo = None, 2  # demo customer: Triple Play Fibra 500
        elif i % 4 == 0 and "FTTH" in techs:
            plan, combo = None, 1
        elif i % 9 == 0 and "HFC_DOCSIS" in techs:
            plan, combo = None, 3
        elif "FTTH" in techs and (i % 3 != 0 or "HFC_DOCSIS" not in techs):
            plan, combo = [1, 2, 3, 4, 2, 3][i % 6], None
        else:
            plan, combo = [5, 6][i % 2], None
        if combo:
            precio = sum(pr for _, pr in COMBO[combo][4])
        else:
            precio = precio_en[(plan, zona[0])]
        promo = None
        if combo == 2 and i % 2 == 1:
            promo = 2
        elif plan == 3 and i % 2 == 0:
            promo = 1
        elif plan == 4 and zona[0] == 3:
            promo = 3
        if i == 1:
            estado = "activo"
        elif i % 7 == 0:
            estado = "pendiente_instalacion"
        elif i == 23:
            estado = "suspendido"
        else:
            estado = "activo"
        inicio = date(2026, 1, 5) + timedelta(days=(i * 4) % 300)
        if i == 1:
            inicio = date(2026, 6, 15)  # inside the Triple Play promotion, still discounted in December 2026
        if estado == "pendiente_instalacion":
            inicio = date(2026, 11, 20) + timedelta(days=i % 6)
        if promo and not (PROMO[promo][7] <= inicio <= PROMO[promo][8]):
            promo = None
        activacion = inicio + timedelta(days=2 + i % 4) if estado != "pendiente_instalacion" else None
        dia_corte = [1, 5, 10, 15, 20, 25][i % 6]
        ktid = uid("b", i)
        contrato_de[i] = (ktid, estado, plan, combo)
        contratos.append((ktid, cid, uid("2", plan) if plan else None, uid("3", combo) if combo else None,
                          uid("4", promo) if promo else None, uid("1", zona[0]), uid("a", i), f"{precio:.2f}",
                          inicio, activacion, estado, dia_corte, creado, creado))
        if estado in ("activo", "suspendido"):
            tech = PLAN[plan][4] if plan else PLAN[COMBO[combo][4][0][0]][4]
            if tech == "FTTH":
                modelo, prefijo = ("Huawei EchoLife HG8145V5", "HWTC") if i % 2 else ("ZTE ZXHN F670L", "ZTEG")
            else:
                modelo, prefijo = ("Arris SURFboard TG3482", "ARRS") if i % 2 else ("Technicolor CGA4233", "TCLR")
            serial = f"{prefijo}{hashlib.sha1(f'router{i}'.encode()).hexdigest()[:8].upper()}"
            clave = f"demo-key-{serial}"
            claves[serial] = clave
            rid = uid("7", i)
            routers.append((rid, serial, modelo, tech, ktid, cid, f"02:54:43:00:{i // 256:02x}:{i % 256:02x}",
                            "V5R020C10S115" if prefijo == "HWTC" else "V9.0.11P1N12" if prefijo == "ZTEG" else "9.1.103AA",
                            "sha256:" + hashlib.sha256(clave.encode()).hexdigest(), creado, creado))
            if estado == "suspendido":
                est = ("fuera_de_linea", None, None)
            elif i % 11 == 0:
                est = ("degradado", "-27.40" if tech == "FTTH" else "-12.50", "31.20" if tech != "FTTH" else None)
            else:
                est = ("en_linea", "-19.80" if tech == "FTTH" else "3.20", "38.50" if tech != "FTTH" else None)
            estados.append((rid, est[0], "2026-11-27T12:00:00-06:00", f"10.64.{i // 200}.{i % 200 + 10}",
                            routers[-1][7], 86400 * (1 + i % 20) if est[0] != "fuera_de_linea" else None,
                            est[1], est[2], "2026-11-27T12:00:00-06:00"))

    w("\n-- Customers (fiscal data as in each SAT constancia; RFC check digits are valid)\n")
    w(insert("clientes", ["id", "numero_cliente", "tipo_persona", "nombre", "rfc", "email", "telefono", "regimen_fiscal",
                          "uso_cfdi", "cp_fiscal", "zona_id", "estado", "created_at", "updated_at"], clientes))
    w("SELECT setval(pg_get_serial_sequence('clientes', 'numero_cliente'), (SELECT max(numero_cliente) FROM clientes));\n")
    w(insert("domicilios", ["id", "cliente_id", "tipo", "calle", "numero_exterior", "numero_interior", "colonia", "cp",
                            "municipio", "estado", "referencias", "created_at"], domicilios))
    w(insert("consentimientos", ["id", "cliente_id", "aviso_privacidad_version", "acepta_marketing", "otorgado_en", "ip",
                                 "origen", "user_agent"], consentimientos))

    w("\n-- Contracts and equipment\n")
    w(insert("contratos", ["id", "cliente_id", "plan_id", "combo_id", "promocion_id", "zona_id", "domicilio_id",
                           "precio_pactado", "fecha_inicio", "fecha_activacion", "estado", "dia_corte",
                           "created_at", "updated_at"], contratos))
    w(insert("routers", ["id", "serial", "modelo", "tecnologia_clave", "contrato_id", "cliente_id", "mac", "firmware",
                         "device_key_hash", "created_at", "updated_at"], routers))
    w(insert("router_estado", ["router_id", "estado", "reportado_en", "ip", "firmware", "uptime_segundos", "senal_dbm",
                               "snr_db", "actualizado_en"], estados, "(router_id) "))

    # --- tickets ---------------------------------------------------------------------------
    tickets, eventos, feedback = [], [], []
    tn = 0
    en = 0

    def tecnico_para(zona_n: int) -> int:
        return next(t[0] for t in TECNICOS if zona_n in t[2])

    def evento(ticket, anterior, nuevo, nota, actor, cuando):
        nonlocal en
        en += 1
        eventos.append((uid("d", en), ticket, anterior, nuevo, nota, actor, cuando))

    for i in range(1, total + 1):
        ktid, estado, plan, combo = contrato_de[i]
        if estado != "pendiente_instalacion":
            continue
        tn += 1
        z = zona_de[i][0]
        tec = 1 if z in (1, 3) and tn % 2 else tecnico_para(z)
        tid = uid("8", tn)
        est = "asignado" if tn % 3 else "abierto"
        creado = f"2026-11-{20 + i % 6:02d}T09:30:00-06:00"
        tickets.append((tid, 1000 + tn, "instalacion", uid("c", i), ktid, uid("e", tec) if est == "asignado" else None,
                        est, "media", date(2026, 11, 30) + timedelta(days=tn % 5),
                        "matutina" if tn % 2 else "vespertina", "Instalación de servicio nuevo.", None, creado, creado))
        evento(tid, None, "abierto", "Ticket creado por la contratación.", "sistema", creado)
        if est == "asignado":
            evento(tid, "abierto", "asignado", f"Asignado al técnico {TECNICOS[tec - 1][1]}.", "backoffice", creado)

    soporte = [
        # (cliente, tecnico, estado, prioridad, fecha, descripcion, feedback)
        (1, 1, "asignado", "alta", date(2026, 11, 30), "El internet se desconecta varias veces al día.", None),
        (2, None, "abierto", "media", None, "Solicita cambio de contraseña de la red WiFi.", None),
        (5, 1, "en_camino", "alta", date(2026, 11, 28), "Sin señal de TV desde ayer.", None),
        (8, 4, "cerrado", "media", date(2026, 10, 14), "Velocidad menor a la contratada.", (5, "Muy amable y rápido.")),
        (10, 3, "cerrado", "baja", date(2026, 9, 2), "Reubicar el módem a otra habitación.", (4, None)),
        (15, 2, "cancelado", "baja", None, "Reporte duplicado.", None),
    ]
    for c, tec, est, prio, fecha, desc, fb in soporte:
        if tec is not None and zona_de[c][0] not in TECNICOS[tec - 1][2]:
            tec = tecnico_para(zona_de[c][0])
        tn += 1
        tid = uid("8", tn)
        creado = f"2026-{fecha.month if fecha else 11:02d}-{(fecha.day - 1) if fecha and fecha.day > 1 else 20:02d}T11:00:00-06:00"
        cerrado = creado.replace("T11:00", "T18:00") if est in ("cerrado", "cancelado") else None
        tickets.append((tid, 1000 + tn, "soporte", uid("c", c), contrato_de[c][0], uid("e", tec) if tec else None, est,
                        prio, fecha, "matutina" if fecha else None, desc, cerrado, creado, creado))
        evento(tid, None, "abierto", "Reporte levantado por el cliente.", "cliente", creado)
        if tec:
            evento(tid, "abierto", "asignado", f"Asignado al técnico {TECNICOS[tec - 1][1]}.", "backoffice", creado)
        if est == "en_camino":
            evento(tid, "asignado", "en_camino", "El técnico va en camino.", f"tecnico:{uid('e', tec)}", creado)
        if est == "cerrado":
            evento(tid, "asignado", "en_sitio", None, f"tecnico:{uid('e', tec)}", creado)
            evento(tid, "en_sitio", "cerrado", "Se revisó la señal y se reemplazó el conector.", f"tecnico:{uid('e', tec)}", cerrado)
            feedback.append((tid, fb[0], fb[1], cerrado))
        if est == "cancelado":
            evento(tid, "abierto", "cancelado", "Cancelado: reporte duplicado.", "backoffice", cerrado)

    w("\n-- Tickets\n")
    w(insert("tickets", ["id", "numero", "tipo", "cliente_id", "contrato_id", "tecnico_id", "estado", "prioridad",
                         "fecha_programada", "franja_horaria", "descripcion", "cerrado_en", "created_at", "updated_at"], tickets))
    w("SELECT setval(pg_get_serial_sequence('tickets', 'numero'), (SELECT max(numero) FROM tickets));\n")
    w(insert("ticket_eventos", ["id", "ticket_id", "estado_anterior", "estado_nuevo", "nota", "actor", "created_at"], eventos))
    w(insert("ticket_feedback", ["ticket_id", "calificacion", "comentario", "created_at"], feedback, "(ticket_id) "))

    w("\n-- FAQ\n")
    w(insert("faq", ["id", "categoria", "pregunta", "respuesta", "orden", "created_at", "updated_at"],
             [(uid("9", k + 1), f[0], f[1], f[2], (k + 1) * 10, "2025-01-01T00:00:00-06:00", "2025-01-01T00:00:00-06:00")
              for k, f in enumerate(FAQ)]))

    w("\n-- Collections: one customer at every stage (issue 18). Dates are relative to the day the seed is loaded, and every\n"
      "-- stage reached is recorded, so the EvaluarCobranza timer finds nothing due right after loading: c002 current (due in 8\n"
      "-- days), c003 reminded (due yesterday), c005 suspended (10 days overdue, router told to suspend), c009 on a promise to\n"
      "-- pay (8 days overdue, held for 5 more days). Folios 1-4 of serie A; the serie's counter is moved past them.\n")
    w(COBRANZA_DEMO)

    texto = "".join(out)
    texto_claves = json.dumps(dict(sorted(claves.items())), indent=2) + "\n"
    if "--check" in sys.argv:
        actual = SALIDA.read_text(encoding="utf-8") if SALIDA.exists() else ""
        actual_claves = SALIDA_CLAVES.read_text(encoding="utf-8") if SALIDA_CLAVES.exists() else ""
        if actual != texto or actual_claves != texto_claves:
            print(f"{SALIDA} está desactualizado: regenere con {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    SALIDA.parent.mkdir(parents=True, exist_ok=True)
    SALIDA.write_text(texto, encoding="utf-8")
    SALIDA_CLAVES.write_text(texto_claves, encoding="utf-8")
    print(f"{SALIDA}: {len(clientes)} clientes, {len(contratos)} contratos, {len(routers)} routers, "
          f"{len(tickets)} tickets, {len(precios)} precios")
    return 0


if __name__ == "__main__":
    sys.exit(main())
