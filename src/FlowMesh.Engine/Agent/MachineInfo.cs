using System.Diagnostics;
using System.Globalization;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Runtime;

namespace FlowMesh.Engine.Agent;

/// <summary>What this machine offers: CPUs, memory and the GPUs nvidia-smi reports (none when it is absent).</summary>
public static class MachineInfo
{
    public static NodeCapacity Capacity(EngineOptions options, IEnumerable<string> taskTypes) =>
        Capacity(options.NodeCpus, options.NodeMemoryBytes, options.NodeSlots, options.NodeGpus.Count > 0 ? [.. options.NodeGpus] : DetectGpus(), taskTypes) with
        {
            Labels = options.NodeLabels.Count > 0 ? new Dictionary<string, string>(options.NodeLabels, StringComparer.Ordinal) : null,
        };

    /// <summary>A remote agent's capacity: declared GPUs win over detected ones, so a test or a partitioned host can say what it offers.</summary>
    public static NodeCapacity Capacity(NodeAgentOptions options, IEnumerable<string> taskTypes) =>
        Capacity(options.Cpus, options.MemoryBytes, options.Slots, options.Gpus.Count > 0 ? [.. options.Gpus] : DetectGpus(), taskTypes) with
        {
            Labels = new Dictionary<string, string>(options.Labels, StringComparer.Ordinal),
            WarmModels = [.. options.WarmModels],
            CachedModels = CachedModels(options.ModelCacheDirectory),
        };

    /// <summary>The models in a Hugging Face hub cache: its <c>models--ORG--NAME</c> folders that hold a snapshot.</summary>
    public static IReadOnlyList<string> CachedModels(string hubCache)
    {
        try
        {
            return Directory.Exists(hubCache)
                ? [.. Directory.EnumerateDirectories(hubCache, "models--*")
                    .Where(d => Directory.Exists(Path.Combine(d, "snapshots")) && Directory.EnumerateFileSystemEntries(Path.Combine(d, "snapshots")).Any())
                    .Select(d => Path.GetFileName(d)["models--".Length..].Replace("--", "/", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal)]
                : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // An unreadable cache only costs the preference.
            return [];
        }
    }

    private static NodeCapacity Capacity(double cpus, long memory, int slots, IReadOnlyList<GpuDevice> gpus, IEnumerable<string> taskTypes)
    {
        cpus = cpus > 0 ? cpus : Environment.ProcessorCount;
        memory = memory > 0 ? memory : TotalMemoryBytes();
        slots = slots > 0 ? slots : Math.Max(4, (int)Math.Ceiling(cpus * 2));
        return new NodeCapacity((long)(cpus * 1000), memory, gpus, slots, [.. taskTypes]);
    }

    public static long TotalMemoryBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                    return kb * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>Parses <c>nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader,nounits</c>.</summary>
    public static IReadOnlyList<GpuDevice> DetectGpus()
    {
        if (Executors.PythonExecutor.FindOnPath("nvidia-smi") is not { } smi)
        {
            return [];
        }

        try
        {
            var psi = new ProcessStartInfo(smi, "--query-gpu=index,name,memory.total --format=csv,noheader,nounits")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(psi)!;
            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(10_000) || process.ExitCode != 0)
            {
                return [];
            }

            return ParseNvidiaSmi(output);
        }
        catch (Exception ex) when (ex is IOException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return [];
        }
    }

    public static IReadOnlyList<GpuDevice> ParseNvidiaSmi(string csv)
    {
        var gpus = new List<GpuDevice>();
        foreach (var line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length >= 3
                && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var index)
                && long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var mib))
            {
                gpus.Add(new GpuDevice(index, parts[1], mib * 1024 * 1024));
            }
        }

        return gpus;
    }
}
