using FlowMesh.Engine.Containers;

namespace FlowMesh.Engine.Executors;

/// <summary>The executors a node offers: echo and python always; container and non-interactive ssh when a container engine's socket is there.</summary>
internal static class NodeExecutors
{
    public static IEnumerable<IExecutor> Create(string pythonInterpreter, ContainerOptions containers)
    {
        yield return new EchoExecutor();
        yield return new ApiExecutor();
        if (DockerClient.FindSocket(containers.Socket) is not { } socket || !File.Exists(socket))
        {
            yield return new PythonExecutor(pythonInterpreter);
        }
        else
        {
            var docker = new DockerClient(socket);
            yield return new PythonExecutor(pythonInterpreter, new ContainerExecutor("python", docker, containers));
            yield return new ContainerExecutor("container", docker, containers);
            yield return new ContainerExecutor("ssh", docker, containers);
            var pool = new ModelServerPool(docker, containers, containers.ModelServers, TimeProvider.System);
            yield return new ModelServerExecutor("inference", pool, containers.ModelServers);
            yield return new ModelServerExecutor("embedding", pool, containers.ModelServers);
            foreach (var training in new[] { "sft", "lora_sft", "dpo", "ppo" })
            {
                yield return new TrainingExecutor(training, docker, containers);
            }
        }
    }
}
