using FlowMesh.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace FlowMesh.Engine;

/// <summary>Registers the embedded engine for hosts that use dependency injection.</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>Adds <see cref="FlowMeshEngine"/> as a singleton; options are validated when it is first built.</summary>
    public static IServiceCollection AddFlowMeshEngine(this IServiceCollection services, Action<EngineOptions>? configure = null)
    {
        var options = new EngineOptions();
        configure?.Invoke(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new FlowMeshEngine(sp.GetRequiredService<EngineOptions>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
