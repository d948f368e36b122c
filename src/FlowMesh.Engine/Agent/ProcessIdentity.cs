using System.Diagnostics;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;

namespace FlowMesh.Engine.Agent;

/// <summary>
/// Who runs a node: host, pid and the process start time (so a recycled pid is not mistaken for the old process).
/// An embedded node whose process is gone is dead at once; no lease has to run out.
/// </summary>
internal sealed record ProcessIdentity(string Host, int Pid, long StartTicks)
{
    public static ProcessIdentity Current { get; } = Read();

    public static bool IsAlive(NodeRow node)
    {
        if (node.State is nameof(NodeState.Left) or nameof(NodeState.Lost))
        {
            return false;
        }

        if (!string.Equals(node.Host, Current.Host, StringComparison.Ordinal))
        {
            // Another machine's process cannot be inspected; trust a recent heartbeat.
            return DateTimeOffset.UtcNow - node.HeartbeatAt < TimeSpan.FromMinutes(1);
        }

        try
        {
            using var process = Process.GetProcessById(node.Pid);
            return !process.HasExited && Math.Abs(process.StartTime.ToUniversalTime().Ticks - node.ProcessStart) < TimeSpan.TicksPerSecond;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static ProcessIdentity Read()
    {
        using var self = Process.GetCurrentProcess();
        return new ProcessIdentity(Environment.MachineName, Environment.ProcessId, self.StartTime.ToUniversalTime().Ticks);
    }
}
