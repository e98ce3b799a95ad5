// The alerts of infra/prometheus/alertas.yml for Azure, where nothing scrapes /api/metrics: Azure Monitor
// scheduled query rules over the app's OpenTelemetry data in Application Insights (customMetrics:
// the gauges of MetricasOperacion, refreshed every minute by the MuestrearOperacion timer, and the
// app's counters and histograms; dependencies: the Azure SDK's calls). Thresholds are those of the
// Prometheus rules and are listed in infra/bicep/README.md. A Prometheus "for" becomes a window over which
// the gauge must stay past the threshold (min() over the window), since a sample arrives each minute.

@description('Azure region.')
param location string

@description('Resource name prefix, e.g. telecable-prod.')
param namePrefix string

@description('Tags applied to every resource.')
param tags object

@description('Resource id of the Application Insights component the app exports to (monitoring.bicep).')
param appInsightsId string

@description('Resource id of the action group notified when an alert fires (on-call e-mail, SMS, webhook). Empty: the alerts fire and are listed in Azure Monitor, nobody is notified.')
param actionGroupId string

// Storage endpoints of this cloud (blob, queue and table hosts end with it).
var sufijoAlmacenamiento = environment().suffixes.storage

// nombre, severidad (1 error, 2 warning), ventana (window = frequency), umbral, operador, query that yields `valor`
// (and `zona` for the per-zone rule), descripcion.
var alertas = [
  {
    nombre: 'corrida-fallida'
    severidad: 1
    ventana: 'PT5M'
    operador: 'GreaterThan'
    umbral: 0
    dimensiones: []
    descripcion: 'A billing run is in estado fallida (e.g. the CSD could not be loaded): retry it once fixed.'
    query: 'customMetrics | where name == "telecable.corridas.fallidas" | summarize valor = max(value)'
  }
  {
    nombre: 'corrida-atascada'
    severidad: 1
    ventana: 'PT5M'
    operador: 'GreaterThan'
    umbral: 900
    dimensiones: []
    descripcion: 'A billing run has made no progress for more than 15 minutes, for 5 minutes.'
    query: 'customMetrics | where name == "telecable.corridas.sin_avance" | summarize valor = min(value)'
  }
  {
    nombre: 'cfdi-tasa-fallas'
    severidad: 1
    ventana: 'PT5M'
    operador: 'GreaterThan'
    umbral: json('0.05')
    dimensiones: []
    descripcion: 'More than 5 % (and at least 5) of the CFDIs of the last 15 minutes ended in error, for 5 minutes.'
    query: 'customMetrics | where name in ("telecable.cfdi.fallidas_15m", "telecable.cfdi.timbradas_15m") | summarize f = todouble(minif(value, name == "telecable.cfdi.fallidas_15m")), t = todouble(maxif(value, name == "telecable.cfdi.timbradas_15m")) | extend valor = iff(f >= 5, f / max_of(f + t, 1.0), 0.0)'
  }
  {
    nombre: 'pac-lento'
    severidad: 2
    ventana: 'PT15M'
    operador: 'GreaterThan'
    umbral: 3000
    dimensiones: []
    descripcion: 'Stamping calls to the PAC averaged more than 3 s over 15 minutes (Prometheus alerts on the p95; Application Insights keeps sum and count).'
    query: 'customMetrics | where name == "telecable.pac.duracion" and tostring(customDimensions.operacion) == "timbrar" | summarize valor = sum(value) / max_of(todouble(sum(valueCount)), 1.0)'
  }
  {
    nombre: 'outbox-retrasado'
    severidad: 2
    ventana: 'PT5M'
    operador: 'GreaterThan'
    umbral: 300
    dimensiones: []
    descripcion: 'A domain event has waited more than 5 minutes to be published, for 5 minutes.'
    query: 'customMetrics | where name == "telecable.outbox.retraso" | summarize valor = min(value)'
  }
  {
    nombre: 'app-sin-telemetria'
    severidad: 1
    ventana: 'PT10M'
    operador: 'LessThan'
    umbral: 1
    dimensiones: []
    descripcion: 'No state sample in 10 minutes: the app, its MuestrearOperacion timer or PostgreSQL is down.'
    query: 'customMetrics | where name == "telecable.outbox.retraso" | summarize valor = count()'
  }
  {
    nombre: 'almacenamiento-fallando'
    severidad: 1
    ventana: 'PT5M'
    operador: 'GreaterThan'
    umbral: 20
    dimensiones: []
    descripcion: 'More than 20 failed calls to Azure Storage (blobs, durable task hub) in 5 minutes.'
    query: 'dependencies | where success == false and target has ".${sufijoAlmacenamiento}" | summarize valor = count()'
  }
  {
    nombre: 'errores-5xx'
    severidad: 1
    ventana: 'PT5M'
    operador: 'GreaterThan'
    umbral: json('0.05')
    dimensiones: []
    descripcion: 'More than 5 % (and at least 5) of the HTTP requests of the last 5 minutes answered 5xx.'
    query: 'customMetrics | where name == "telecable.http.solicitudes" | summarize total = sum(value), errores = sumif(value, toint(customDimensions.status) >= 500) | extend valor = iff(errores >= 5, errores / max_of(total, 1.0), 0.0)'
  }
  {
    nombre: 'webhooks-rechazados'
    severidad: 2
    ventana: 'PT5M'
    operador: 'GreaterThan'
    umbral: json('0.2')
    dimensiones: []
    descripcion: 'More than 20 % (and at least 10) of the payment webhooks of the last 15 minutes were rejected.'
    query: 'customMetrics | where name in ("telecable.webhooks.rechazados_15m", "telecable.webhooks.recibidos_15m") | summarize r = todouble(minif(value, name == "telecable.webhooks.rechazados_15m")), t = todouble(maxif(value, name == "telecable.webhooks.recibidos_15m")) | extend valor = iff(r >= 10, r / max_of(t, 1.0), 0.0)'
  }
  {
    nombre: 'pagos-sin-aplicar'
    severidad: 1
    ventana: 'PT5M'
    operador: 'GreaterThan'
    umbral: 900
    dimensiones: []
    descripcion: 'A payment confirmed by the gateway has not been applied for more than 15 minutes, for 5 minutes.'
    query: 'customMetrics | where name == "telecable.pagos.sin_aplicar_antiguedad" | summarize valor = min(value)'
  }
  {
    nombre: 'routers-fuera-de-linea-zona'
    severidad: 2
    ventana: 'PT5M'
    operador: 'GreaterThan'
    umbral: json('0.2')
    dimensiones: [
      {
        name: 'zona'
        operator: 'Include'
        values: [
          '*'
        ]
      }
    ]
    descripcion: 'More than 20 % of the routers of a zone (of 5 or more) offline, for 5 minutes.'
    query: 'customMetrics | where name in ("telecable.routers.zona_fuera_de_linea", "telecable.routers.zona_total") | extend zona = tostring(customDimensions.zona) | summarize fuera = maxif(value, name == "telecable.routers.zona_fuera_de_linea"), total = maxif(value, name == "telecable.routers.zona_total") by zona, bin(timestamp, 1m) | where total >= 5 | summarize valor = min(fuera / total) by zona'
  }
  {
    nombre: 'notificaciones-pendientes'
    severidad: 2
    ventana: 'PT10M'
    operador: 'GreaterThan'
    umbral: 0
    dimensiones: []
    descripcion: 'Notifications pending for more than 30 minutes, or more than 50 pending, for 10 minutes.'
    query: 'customMetrics | where name in ("telecable.notificaciones.pendientes_antiguedad", "telecable.notificaciones.pendientes") | summarize edad = minif(value, name == "telecable.notificaciones.pendientes_antiguedad"), cuantas = minif(value, name == "telecable.notificaciones.pendientes") | extend valor = iff(edad > 1800 or cuantas > 50, 1, 0)'
  }
]

resource reglas 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for a in alertas: {
    name: 'alrt-${namePrefix}-${a.nombre}'
    location: location
    tags: tags
    properties: {
      displayName: 'Telecable: ${a.nombre}'
      description: a.descripcion
      severity: a.severidad
      enabled: true
      scopes: [
        appInsightsId
      ]
      evaluationFrequency: a.ventana
      windowSize: a.ventana
      criteria: {
        allOf: [
          {
            query: a.query
            timeAggregation: 'Maximum'
            metricMeasureColumn: 'valor'
            dimensions: a.dimensiones
            operator: a.operador
            threshold: a.umbral
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: empty(actionGroupId) ? [] : [
          actionGroupId
        ]
      }
    }
  }
]

output alertNames array = [for (a, i) in alertas: reglas[i].name]
