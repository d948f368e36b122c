using System.CommandLine;
using System.Globalization;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Agent;
using FlowMesh.Engine.Executors;
using FlowMesh.Workflows.Schema;

namespace FlowMesh.Cli;

/// <summary>
/// <c>flowmesh node --server URL --token T</c>: joins a server as a node and runs the tasks placed here until SIGTERM
/// or Ctrl-C, then drains (running tasks get --drain-seconds, the rest are handed back) and leaves.
/// </summary>
internal static class NodeAgentCommand
{
    public static void Configure(Command node)
    {
        var name = new Option<string?>("--name") { Description = "This node's id (default: kept in <work-dir>/node-id, made up on first start)" };
        var workDir = new Option<string?>("--work-dir") { Description = "Where task inputs, work files and outputs live (default: <data-dir>/node)" };
        var cpus = new Option<double>("--cpus") { Description = "CPUs to offer (default: all)" };
        var memory = new Option<string?>("--memory") { Description = "Memory to offer, e.g. 64Gi (default: all)" };
        var slots = new Option<int>("--slots") { Description = "Tasks to run at once (default: twice the CPUs, at least 4)" };
        var gpus = new Option<string[]>("--gpu") { Description = "Declare a GPU as INDEX:NAME[:MEMORY], e.g. 0:nvidia-a100-80gb:80Gi; repeatable (default: what nvidia-smi reports)" };
        var labels = new Option<string[]>("--label") { Description = "A capability label KEY=VALUE; repeatable" };
        var warm = new Option<string[]>("--warm-model") { Description = "A model this node holds loaded (tasks on it prefer this node); repeatable" };
        var modelCache = new Option<string?>("--model-cache") { Description = "Hugging Face hub cache whose models are reported as cached here (default HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub)" };
        var drain = new Option<double>("--drain-seconds") { Description = "On SIGTERM, how long running tasks may take before they are handed back", DefaultValueFactory = _ => 30 };
        var docker = new Option<string?>("--docker-host") { Description = "Docker or Podman API socket, unix:///path (default: DOCKER_HOST, else the usual sockets)" };
        var network = new Option<string>("--container-network") { Description = "Network mode of containers whose task names none: bridge, host or none", DefaultValueFactory = _ => "bridge" };
        var modelImages = new Option<string[]>("--model-image") { Description = "Model-server image for an engine, ENGINE=IMAGE (vllm, transformers); repeatable (default vllm=vllm/vllm-openai:latest)" };
        var trainImages = new Option<string[]>("--train-image") { Description = "Trainer image for a training task type, TYPE=IMAGE (sft, lora_sft, dpo, ppo); repeatable" };
        var modelIdle = new Option<double>("--model-idle-seconds") { Description = "How long an idle model server stays warm for the next task on its model", DefaultValueFactory = _ => 300 };
        var binds = new Option<string[]>("--container-bind") { Description = "HOST:CONTAINER[:ro] bound into every container this node starts (a model cache, site tools); repeatable" };
        var mountRoots = new Option<string[]>("--allow-mount") { Description = "A host directory task mounts may come from; repeatable (default: no host mounts)" };
        foreach (var option in new Option[] { name, workDir, cpus, memory, slots, gpus, labels, warm, modelCache, drain, docker, network, modelImages, trainImages, modelIdle, binds, mountRoots })
        {
            node.Options.Add(option);
        }

        node.SetAction(async (result, cancellationToken) =>
        {
            var (server, token) = Remote.Remote.Target(result);
            if (string.IsNullOrWhiteSpace(token))
            {
                Console.Error.WriteLine("error: a node needs --token (or FLOWMESH_TOKEN): an admin key of the server's system tenant");
                return 2;
            }

            var options = new NodeAgentOptions
            {
                Server = Uri.TryCreate(server.Split(',')[0].Trim(), UriKind.Absolute, out var uri) ? uri : null,
                Token = token ?? string.Empty,
                NodeId = result.GetValue(name),
                WorkDirectory = result.GetValue(workDir) is { Length: > 0 } w ? Path.GetFullPath(w) : Path.Combine(CliApp.DataDir(result), "node"),
                Cpus = result.GetValue(cpus),
                Slots = result.GetValue(slots),
                DrainTimeout = TimeSpan.FromSeconds(result.GetValue(drain)),
            };
            options.Containers.Socket = result.GetValue(docker);
            options.Containers.DefaultNetwork = result.GetValue(network)!;
            try
            {
                if (result.GetValue(memory) is { } m)
                {
                    options.MemoryBytes = Quantities.TryParseBytes(m, out var bytes) ? bytes : throw new ArgumentException($"--memory: '{m}' is not a size like 64Gi");
                }

                foreach (var other in server.Split(',').Skip(1).Select(u => u.Trim()).Where(u => u.Length > 0))
                {
                    options.OtherServers.Add(Uri.TryCreate(other, UriKind.Absolute, out var replica)
                        ? replica
                        : throw new ArgumentException($"--server: '{other}' is not a URL (give replicas as URL,URL,...)"));
                }

                foreach (var g in result.GetValue(gpus) ?? [])
                {
                    options.Gpus.Add(ParseGpu(g));
                }

                foreach (var (key, value) in Pairs(result.GetValue(labels), "--label"))
                {
                    options.Labels[key] = value;
                }

                foreach (var model in result.GetValue(warm) ?? [])
                {
                    options.WarmModels.Add(model);
                }

                if (result.GetValue(modelCache) is { } cache)
                {
                    options.ModelCacheDirectory = cache;
                }

                foreach (var (engine, image) in Pairs(result.GetValue(modelImages), "--model-image"))
                {
                    options.Containers.ModelServers.Images[engine] = image;
                }

                foreach (var (type, image) in Pairs(result.GetValue(trainImages), "--train-image"))
                {
                    options.Containers.TrainingImages[type] = image;
                }

                options.Containers.ModelServers.IdleTimeout = TimeSpan.FromSeconds(result.GetValue(modelIdle));
                foreach (var bind in result.GetValue(binds) ?? [])
                {
                    options.Containers.ExtraBinds.Add(bind.Split(':').Length is 2 or 3 && bind.StartsWith('/') ? bind : throw new ArgumentException($"--container-bind: '{bind}' is not HOST:CONTAINER[:ro]"));
                }

                foreach (var root in result.GetValue(mountRoots) ?? [])
                {
                    options.Containers.AllowedMountRoots.Add(Path.GetFullPath(root));
                }

                options.Containers.NodeLabel = options.NodeId ?? Environment.MachineName;
                options.Validate();
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 2;
            }

            var executors = NodeExecutors.Create(options.PythonInterpreter, options.Containers).Where(e => e.IsAvailable).ToList();
            await using var agent = new RemoteNodeAgent(options, executors, TimeProvider.System, line =>
            {
                Console.Out.WriteLine($"flowmesh node: {line}");
                Console.Out.Flush();
            });
            await agent.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });
    }

    private static IEnumerable<(string Key, string Value)> Pairs(string[]? values, string flag)
    {
        foreach (var text in values ?? [])
        {
            var eq = text.IndexOf('=', StringComparison.Ordinal);
            yield return eq > 0 && eq < text.Length - 1 ? (text[..eq], text[(eq + 1)..]) : throw new ArgumentException($"{flag}: '{text}' is not KEY=VALUE");
        }
    }

    /// <summary>INDEX:NAME[:MEMORY], e.g. <c>0:nvidia-a100-80gb:80Gi</c>.</summary>
    internal static GpuDevice ParseGpu(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is < 2 or > 3 || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) || index < 0 || parts[1].Length == 0)
        {
            throw new ArgumentException($"--gpu: '{text}' is not INDEX:NAME[:MEMORY] (e.g. 0:nvidia-a100-80gb:80Gi)");
        }

        long memory = 0;
        if (parts.Length == 3 && !Quantities.TryParseBytes(parts[2], out memory))
        {
            throw new ArgumentException($"--gpu: '{parts[2]}' is not a memory size like 80Gi");
        }

        return new GpuDevice(index, parts[1], memory);
    }
}
