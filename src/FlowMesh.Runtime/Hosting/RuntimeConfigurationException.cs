namespace FlowMesh.Runtime.Hosting;

/// <summary>The runtime was configured wrongly; raised at start-up, before any grain runs.</summary>
public sealed class RuntimeConfigurationException(string message) : Exception(message)
{
    public string Code => "runtime_configuration";
}
