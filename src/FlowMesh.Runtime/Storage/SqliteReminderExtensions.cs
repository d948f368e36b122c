using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FlowMesh.Runtime.Storage;

/// <summary>Registers Orleans reminders over the embedded SQLite file.</summary>
internal static class SqliteReminderExtensions
{
    /// <summary>
    /// The reminder service with its table in the SQLite file of the workflow event store (the options named
    /// <see cref="SqliteStorageExtensions.EventStoreOptionsName"/>, which <c>UseSqliteStorage</c> sets), so state,
    /// event log and reminders share one file and one writer. Replaces any reminder table registered before it.
    /// </summary>
    public static ISiloBuilder UseSqliteReminders(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddReminders();
        var services = builder.Services;

        // The same registry UseSqliteStorage adds (TryAdd: whichever comes first), so the file is opened once per silo.
        services.TryAddSingleton(static sp => new SqliteDatabaseRegistry(sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));

        // A table registered earlier (the in-memory one) must not stay beside this one as a second IReminderTable.
        services.RemoveAll<IReminderTable>();
        services.AddSingleton<IReminderTable>(static sp =>
        {
            const string name = SqliteStorageExtensions.EventStoreOptionsName;
            var options = sp.GetRequiredService<IOptionsMonitor<SqliteStorageOptions>>().Get(name);
            return new SqliteReminderTable(sp.GetRequiredService<SqliteDatabaseRegistry>().Open(options, name));
        });
        return builder;
    }
}
