using FlowMesh.Workflows;

namespace FlowMesh.Engine.Scheduling;

/// <summary>What a tenant's running tasks hold: what quotas count and fair share weighs.</summary>
internal readonly record struct TenantUsage(int Tasks, int Gpus, long CpuMillis, long MemoryBytes)
{
    public TenantUsage Add(ResourceRequest r, int sign) =>
        new(Tasks + sign, Gpus + (sign * r.GpuCount), CpuMillis + (sign * r.CpuMillis), MemoryBytes + (sign * r.MemoryBytes));
}
