using FlowMesh.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace FlowMesh.Runtime.Storage;

/// <summary>Registers the embedded SQLite storage: grain state providers and the workflow event store over one file.</summary>
internal static class SqliteStorageExtensions
{
    /// <summary>The grain storage FlowMesh's grains name in <c>[PersistentState]</c>.</summary>
    public const string ProviderName = RuntimeNames.Storage;

    /// <summary>The name of the <see cref="SqliteStorageOptions"/> the event store opens its file with.</summary>
    public const string EventStoreOptionsName = "flowmesh.events";

    /// <summary>
    /// Everything over one file: the grain storage "flowmesh", the same provider as the default storage and as
    /// "PubSubStore" (what Orleans streams keep their subscriptions in), the <see cref="IWorkflowEventStore"/>, and the
    /// reminder service's table (<see cref="SqliteReminderExtensions.UseSqliteReminders"/>).
    /// </summary>
    public static ISiloBuilder UseSqliteStorage(this ISiloBuilder builder, string databasePath, SqliteDurability durability)
    {
        ArgumentNullException.ThrowIfNull(builder);
        void Configure(SqliteStorageOptions options)
        {
            options.DatabasePath = databasePath;
            options.Durability = durability;
        }

        builder.AddSqliteGrainStorage(ProviderName, Configure);
        var services = builder.Services;

        // Aliases of one instance rather than three providers: a state is found whichever of the names a grain used.
        services.AddKeyedSingleton<IGrainStorage>(
            ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME,
            static (sp, _) => sp.GetRequiredKeyedService<IGrainStorage>(ProviderName));
        services.TryAddSingleton<IGrainStorage>(
            static sp => sp.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME));
        services.AddKeyedSingleton<IGrainStorage>(
            ProviderConstants.DEFAULT_PUBSUB_PROVIDER_NAME,
            static (sp, _) => sp.GetRequiredKeyedService<IGrainStorage>(ProviderName));
        services.AddSqliteWorkflowEventStore(Configure);
        builder.UseSqliteReminders();
        return builder;
    }

    /// <summary>A grain storage provider named <paramref name="name"/> over the SQLite file the options name.</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSqliteGrainStorage(name, configure);
        return builder;
    }

    /// <inheritdoc cref="AddSqliteGrainStorage(ISiloBuilder, string, Action{SqliteStorageOptions})"/>
    public static IServiceCollection AddSqliteGrainStorage(this IServiceCollection services, string name, Action<SqliteStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<SqliteStorageOptions>(name).Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Transient<
            IPostConfigureOptions<SqliteStorageOptions>,
            DefaultStorageProviderSerializerOptionsConfigurator<SqliteStorageOptions>>());
        services.AddTransient<IConfigurationValidator>(sp => new SqliteStorageOptionsValidator(Options(sp, name), name));
        services.ConfigureNamedOptionForLogging<SqliteStorageOptions>(name);
        AddRegistry(services);
        return services.AddGrainStorage(name, CreateGrainStorage);
    }

    /// <summary>The <see cref="IWorkflowEventStore"/> over the SQLite file the options name (a silo's grain storage may share it).</summary>
    public static IServiceCollection AddSqliteWorkflowEventStore(this IServiceCollection services, Action<SqliteStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<SqliteStorageOptions>(EventStoreOptionsName).Configure(configure);
        services.AddTransient<IConfigurationValidator>(
            static sp => new SqliteStorageOptionsValidator(Options(sp, EventStoreOptionsName), EventStoreOptionsName));
        AddRegistry(services);
        services.Replace(ServiceDescriptor.Singleton<IWorkflowEventStore>(static sp =>
            new SqliteWorkflowEventStore(sp.GetRequiredService<SqliteDatabaseRegistry>().Open(Options(sp, EventStoreOptionsName), EventStoreOptionsName))));
        return services;
    }

    private static SqliteGrainStorage CreateGrainStorage(IServiceProvider sp, string name)
    {
        var options = Options(sp, name);
        var database = sp.GetRequiredService<SqliteDatabaseRegistry>().Open(options, name);
        var serializer = options.GrainStorageSerializer ?? sp.GetRequiredService<IGrainStorageSerializer>();
        return new SqliteGrainStorage(name, database, serializer, sp.GetRequiredService<ILogger<SqliteGrainStorage>>());
    }

    private static void AddRegistry(IServiceCollection services) =>
        services.TryAddSingleton(static sp => new SqliteDatabaseRegistry(sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));

    private static SqliteStorageOptions Options(IServiceProvider sp, string name) =>
        sp.GetRequiredService<IOptionsMonitor<SqliteStorageOptions>>().Get(name);
}
