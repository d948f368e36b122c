using System.Globalization;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace FlowMesh.Server.Telemetry;

/// <summary>
/// Renders what the SDK collected as Prometheus text (exposition format 0.0.4). A pull exporter: the reader calls it
/// synchronously from <see cref="MetricReader.Collect"/> when /metrics is scraped, and the text is kept for that scrape.
/// </summary>
internal sealed class PrometheusExporter : BaseExporter<Metric>
{
    private readonly StringBuilder _text = new();

    public string TakeText()
    {
        var text = _text.ToString();
        _text.Clear();
        return text;
    }

    public override ExportResult Export(in Batch<Metric> batch)
    {
        foreach (var metric in batch)
        {
            Render(metric);
        }

        return ExportResult.Success;
    }

    internal static string Name(Metric metric)
    {
        var name = new StringBuilder(metric.Name.Length + 8);
        foreach (var c in metric.Name)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        if (metric.Unit == "s")
        {
            name.Append("_seconds");
        }

        return name.ToString();
    }

    private void Render(Metric metric)
    {
        var name = Name(metric);
        var (type, suffix) = metric.MetricType switch
        {
            MetricType.LongSum or MetricType.DoubleSum => ("counter", "_total"),
            MetricType.Histogram => ("histogram", string.Empty),
            MetricType.LongGauge or MetricType.DoubleGauge or MetricType.LongSumNonMonotonic or MetricType.DoubleSumNonMonotonic => ("gauge", string.Empty),
            _ => (null, string.Empty),
        };
        if (type is null)
        {
            return;
        }

        _text.Append(CultureInfo.InvariantCulture, $"# HELP {name}{suffix} {Escape(metric.Description, help: true)}\n# TYPE {name}{suffix} {type}\n");
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var labels = Labels(point.Tags);
            switch (metric.MetricType)
            {
                case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                    Line(name + suffix, labels, point.GetSumLong());
                    break;
                case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                    Line(name + suffix, labels, point.GetSumDouble());
                    break;
                case MetricType.LongGauge:
                    Line(name, labels, point.GetGaugeLastValueLong());
                    break;
                case MetricType.DoubleGauge:
                    Line(name, labels, point.GetGaugeLastValueDouble());
                    break;
                case MetricType.Histogram:
                    long cumulative = 0;
                    foreach (var bucket in point.GetHistogramBuckets())
                    {
                        cumulative += bucket.BucketCount;
                        var le = double.IsPositiveInfinity(bucket.ExplicitBound) ? "+Inf" : bucket.ExplicitBound.ToString("R", CultureInfo.InvariantCulture);
                        Line(name + "_bucket", Join(labels, $"le=\"{le}\""), cumulative);
                    }

                    Line(name + "_sum", labels, point.GetHistogramSum());
                    Line(name + "_count", labels, point.GetHistogramCount());
                    break;
            }
        }
    }

    private void Line(string name, string labels, double value) =>
        _text.Append(CultureInfo.InvariantCulture, $"{name}{(labels.Length > 0 ? "{" + labels + "}" : string.Empty)} {value.ToString("R", CultureInfo.InvariantCulture)}\n");

    private static string Join(string labels, string more) => labels.Length == 0 ? more : labels + "," + more;

    private static string Labels(ReadOnlyTagCollection tags)
    {
        var text = new StringBuilder();
        foreach (var tag in tags)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(tag.Key).Append("=\"").Append(Escape(Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty, help: false)).Append('"');
        }

        return text.ToString();
    }

    private static string Escape(string? text, bool help)
    {
        var escaped = (text ?? string.Empty).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return help ? escaped : escaped.Replace("\"", "\\\"", StringComparison.Ordinal);
    }
}
