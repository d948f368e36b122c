using FlowMesh.Abstractions;
using FlowMesh.Engine.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FlowMesh.Runtime.Hosting;

/// <summary>Registers the FlowMesh runtime on an Orleans silo: its grains' options, the clock, and the event streams.</summary>
public static class FlowMeshSiloBuilderExtensions
{
    /// <summary>
    /// Adds what the workflow, task, node and placement grains need. Storage is chosen apart:
    /// <c>UseSqliteStorage</c> for one embedded silo, <c>UseRedisStorage</c> for a cluster.
    /// </summary>
    public static ISiloBuilder AddFlowMeshRuntime(this ISiloBuilder builder, Action<RuntimeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RuntimeOptions>().Configure(configure).Validate(Valid).ValidateOnStart();
        builder.Services.AddOptions<SchedulerOptions>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddMemoryStreams(FlowMeshStreams.Provider);
        builder.Services.AddSingleton<ActiveWorkflows>();
        builder.Services.AddSingleton<SiloFailureWatcher>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloFailureWatcher>());
        return builder;
    }

    /// <summary>
    /// Runs a node agent inside the silo (the embedded node): it joins once the silo is active and leaves when it stops.
    /// </summary>
    public static ISiloBuilder AddFlowMeshEmbeddedNode(this ISiloBuilder builder, Action<EmbeddedNodeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<EmbeddedNodeOptions>().Configure(o => configure?.Invoke(o));
        builder.Services.AddSingleton<EmbeddedNode>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<EmbeddedNode>());
        return builder;
    }

    /// <summary>Adds the event streams to an Orleans client that watches workflows (host apps, the CLI, a gateway).</summary>
    public static IClientBuilder AddFlowMeshStreams(this IClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddMemoryStreams(FlowMeshStreams.Provider);
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    private static bool Valid(RuntimeOptions options)
    {
        options.Validate();
        return true;
    }
}
