namespace FlowMesh.Server.Extensibility;

/// <summary>One task of a submitted workflow.</summary>
/// <param name="Name">Task name, unique in its workflow.</param>
/// <param name="TaskType">The FlowMesh taskType (echo, python, inference, ...).</param>
/// <param name="Gpus">GPUs it asks for (0 for none).</param>
public sealed record SubmittedTask(string Name, string TaskType, int Gpus);
