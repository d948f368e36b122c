using FlowMesh.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using Orleans.Persistence;
using StackExchange.Redis;

namespace FlowMesh.Runtime.Storage;

/// <summary>Puts a silo's (or a client's) cluster state in one Redis: membership, grain state, reminders, event logs.</summary>
internal static class RedisStorageExtensions
{
    /// <summary>The grain storage Orleans' stream pub-sub keeps its subscriptions in.</summary>
    public const string PubSubStorageName = "PubSubStore";

    /// <summary>
    /// Redis clustering, grain storage (<see cref="RuntimeNames.Storage"/>, the default, and
    /// <see cref="PubSubStorageName"/>), reminders and the workflow event store, all over one shared connection.
    /// </summary>
    /// <param name="builder">The silo.</param>
    /// <param name="configuration">A <c>redis://host:port[/db]</c> URL or a StackExchange.Redis configuration string.</param>
    /// <exception cref="RedisAddressException"><paramref name="configuration"/> is not a Redis address.</exception>
    public static ISiloBuilder UseRedisStorage(this ISiloBuilder builder, string configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var address = RedisAddress.Parse(configuration);
        var services = builder.Services;

        // One multiplexer for the whole silo: each Orleans provider would otherwise open its own connections. The
        // providers are told it is shared, so their shutdown leaves it to the container, which disposes it last.
        services.RemoveAll<IConnectionMultiplexer>();
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(address.Clone()));
        services.Replace(ServiceDescriptor.Singleton<IWorkflowEventStore, RedisWorkflowEventStore>());

        // The validators of all three providers insist on ConfigurationOptions even when CreateMultiplexer is replaced.
        builder.UseRedisClustering(options => options.ConfigurationOptions = address.Clone());
        services.AddOptions<RedisClusteringOptions>()
            .Configure<IServiceProvider>((options, provider) => options.CreateMultiplexer = _ => SharedAsync(provider));

        void ConfigureGrainStorage(OptionsBuilder<RedisStorageOptions> storage) =>
            storage.Configure<IServiceProvider>((options, provider) =>
            {
                options.ConfigurationOptions = address.Clone();
                options.CreateMultiplexer = _ => SharedAsync(provider);
            });
        builder.AddRedisGrainStorage(RuntimeNames.Storage, ConfigureGrainStorage);
        builder.AddRedisGrainStorageAsDefault(ConfigureGrainStorage);
        builder.AddRedisGrainStorage(PubSubStorageName, ConfigureGrainStorage);

        builder.UseRedisReminderService(options => options.ConfigurationOptions = address.Clone());
        services.AddOptions<RedisReminderTableOptions>()
            .Configure<IServiceProvider>((options, provider) => options.CreateMultiplexer = _ => SharedAsync(provider));
        return builder;
    }

    /// <summary>Redis clustering for an Orleans client (a node agent, a host app): it finds the gateways in Redis.</summary>
    /// <param name="builder">The client.</param>
    /// <param name="configuration">A <c>redis://host:port[/db]</c> URL or a StackExchange.Redis configuration string.</param>
    /// <exception cref="RedisAddressException"><paramref name="configuration"/> is not a Redis address.</exception>
    public static IClientBuilder UseRedisClientClustering(this IClientBuilder builder, string configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var address = RedisAddress.Parse(configuration);
        return builder.UseRedisClustering(options => options.ConfigurationOptions = address);
    }

    private static Task<(IConnectionMultiplexer Multiplexer, bool IsShared)> SharedAsync(IServiceProvider provider) =>
        Task.FromResult((provider.GetRequiredService<IConnectionMultiplexer>(), true));
}
