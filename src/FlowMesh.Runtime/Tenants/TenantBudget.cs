using System.Globalization;
using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Tenants;

/// <summary>Budget periods (aligned to the Unix epoch, as the engine's were) and the reason a spent budget gives.</summary>
internal static class TenantBudget
{
    /// <summary>Where the period that holds <paramref name="now"/> began; <see cref="DateTimeOffset.MinValue"/> without a period (usage since ever).</summary>
    public static DateTimeOffset PeriodStart(DateTimeOffset now, long periodSeconds) =>
        periodSeconds <= 0 ? DateTimeOffset.MinValue : DateTimeOffset.FromUnixTimeSeconds(Math.DivRem(now.ToUnixTimeSeconds(), periodSeconds).Quotient * periodSeconds);

    /// <summary>
    /// The reason the tenant's budget is spent, or null within it or without one. <paramref name="used"/> counts from
    /// <paramref name="usedSince"/>: usage of a period that has ended is none of this one's.
    /// </summary>
    public static string? Spent(string tenant, TenantSettings settings, double used, DateTimeOffset usedSince, DateTimeOffset now)
    {
        if (!settings.HasBudget)
        {
            return null;
        }

        var start = PeriodStart(now, settings.BudgetPeriodSeconds);
        if (usedSince < start)
        {
            used = 0;
        }

        if (used < settings.BudgetGpuSeconds)
        {
            return null;
        }

        var resets = start.AddSeconds(settings.BudgetPeriodSeconds);
        return string.Create(CultureInfo.InvariantCulture,
            $"budget: tenant {tenant} used {used:0.#} of {settings.BudgetGpuSeconds:0.#} GPU-seconds this period ({(settings.BudgetHard ? "hard" : "soft")} limit; resets {resets:yyyy-MM-dd HH:mm} UTC)");
    }
}
