using FlowMesh.Engine.Runtime;
using FlowMesh.Server.Api;
using FlowMesh.Server.Cluster;
using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Hosting;
using FlowMesh.Server.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FlowMesh.Server;

public static class ServerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the gateway: the engine over the data directory, tenancy and API keys, the identity providers
    /// (extensions first, then API keys), the permission filter and the stream machinery. Validates the options.
    /// </summary>
    public static IServiceCollection AddFlowMeshServer(this IServiceCollection services, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        var extensions = ExtensionLoader.Register(services, options.ExtensionAssemblies);
        services.AddSingleton(new LoadedExtensions(extensions));
        services.AddSingleton<IIdentityProvider, ApiKeyIdentityProvider>();
        services.AddSingleton<StoreAccess>();
        services.AddSingleton<EventPulse>();
        services.AddSingleton<UsageForwarder>();
        services.AddSingleton<RetentionPruner>();
        if (options.Clustered)
        {
            services.AddSingleton<StoreNotifications>();
            services.AddHostedService(sp => sp.GetRequiredService<StoreNotifications>());
            services.AddSingleton<ClusterCoordinator>();
            services.AddHostedService(sp => sp.GetRequiredService<ClusterCoordinator>());
            services.AddSingleton<IEngineGateway, ClusterGateway>();
            services.AddHostedService<ReplicaHost>();
        }
        else
        {
            services.AddSingleton(sp => new FlowMeshEngine(EngineOptionsFor(options), sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IEngineGateway, LocalEngineGateway>();
            services.AddHostedService<EngineHost>();
        }

        services.AddSingleton<EventStreamer>();
        services.AddSingleton<TenantDirectory>();
        services.AddSingleton<ApiMetrics>();
        services.AddSingleton<Telemetry.ServerTelemetry>();
        services.AddSingleton<SignalTokens>();
        services.AddSingleton<Telemetry.WorkflowEventLog>();
        services.AddSingleton<PermissionFilter>();
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddOpenApi("v1");
        return services;
    }

    /// <summary>The engine settings a server runs with; a cluster's leader adds its term.</summary>
    internal static EngineOptions EngineOptionsFor(ServerOptions options)
    {
        var engine = new EngineOptions
        {
            DataDirectory = options.DataDirectory,
            Store = options.StoreLocation,
            StartCordoned = !options.RunLocalNode,
            UnplaceableTimeout = options.UnplaceableTimeout,
            LeaseDuration = options.LeaseDuration,
            HeartbeatInterval = options.LeaseDuration / 5,
            LeaseCheckInterval = TimeSpan.FromMilliseconds(Math.Min(1000, options.LeaseDuration.TotalMilliseconds / 5)),
            SecretKeys = options.SecretKeys,
        };
        engine.Scheduler.Policy = options.Placement;
        return engine;
    }
}
