namespace FlowMesh.Engine.Executors;

/// <summary>Where an executor writes its output lines; they become log events of the workflow.</summary>
public interface ITaskLog
{
    void Write(string stream, string line);
}
