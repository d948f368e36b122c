using FlowMesh.Engine.Runtime;
using FlowMesh.Server.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FlowMesh.Server.Telemetry;

/// <summary>
/// The server's OpenTelemetry providers, built by hand (the SDK's hosting package is not available): metrics from the
/// engine's meter are always collected for /metrics and, with an OTLP endpoint, pushed there too; the engine's
/// workflow and task spans are recorded only when an OTLP endpoint is set. Disposing flushes what is buffered.
/// </summary>
internal sealed class ServerTelemetry : IDisposable
{
    private readonly MeterProvider _meters;
    private readonly TracerProvider? _tracer;
    private readonly PrometheusExporter _prometheus = new();
    private readonly BaseExportingMetricReader _scrapeReader;
    private readonly Lock _scrape = new();

    public ServerTelemetry(ServerOptions options)
    {
        var resource = ResourceBuilder.CreateDefault().AddService("flowmesh-server", serviceVersion: typeof(ServerTelemetry).Assembly.GetName().Version?.ToString(3),
            serviceInstanceId: options.ReplicaId);
        _scrapeReader = new BaseExportingMetricReader(_prometheus) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative };
        var meters = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(EngineTelemetry.MeterName).AddReader(_scrapeReader);
        if (options.OtlpEndpoint is { } endpoint)
        {
            meters.AddOtlpExporter((exporter, reader) =>
            {
                Configure(exporter, endpoint, "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.OtlpMetricInterval.TotalMilliseconds;
            });
            _tracer = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(EngineTelemetry.SourceName)
                .AddOtlpExporter(exporter =>
                {
                    Configure(exporter, endpoint, "v1/traces");
                    exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = 1000;
                })
                .Build();
        }

        _meters = meters.Build();
    }

    /// <summary>The collected metrics as Prometheus text; concurrent scrapes take turns.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            _scrapeReader.Collect();
            return _prometheus.TakeText();
        }
    }

    public void Dispose()
    {
        _tracer?.Dispose();
        _meters.Dispose();
    }

    private static void Configure(OtlpExporterOptions exporter, Uri endpoint, string signal)
    {
        // With http/protobuf the SDK posts to the endpoint as given, so each signal gets its standard path here.
        exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
        exporter.Endpoint = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signal);
    }
}
