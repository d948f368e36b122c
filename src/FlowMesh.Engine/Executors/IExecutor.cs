namespace FlowMesh.Engine.Executors;

/// <summary>Runs one taskType on a node.</summary>
public interface IExecutor
{
    string TaskType { get; }

    /// <summary>False when this machine lacks what the executor needs (an interpreter, a runtime).</summary>
    bool IsAvailable { get; }

    Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, ITaskLog log, CancellationToken cancellationToken);
}
