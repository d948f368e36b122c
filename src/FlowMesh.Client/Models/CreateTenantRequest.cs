namespace FlowMesh.Client.Models;

/// <summary>Creates a tenant.</summary>
/// <param name="Id">Lower-case letters, digits and dashes, 2 to 40 characters.</param>
/// <param name="MaxRunningTasks">Quota on running tasks (0 = unlimited).</param>
/// <param name="MaxGpus">Quota on GPUs held (0 = unlimited).</param>
public sealed record CreateTenantRequest(string Id, int MaxRunningTasks = 0, int MaxGpus = 0);
