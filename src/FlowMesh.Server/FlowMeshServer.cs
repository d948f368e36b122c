using System.Globalization;
using System.Threading.RateLimiting;
using FlowMesh.Server.Api;
using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Hosting;
using FlowMesh.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Server;

/// <summary>Builds and runs the gateway: Kestrel, authentication, per-tenant rate limits, the /api/v1 routes and OpenAPI.</summary>
public static class FlowMeshServer
{
    public static WebApplication Build(ServerOptions options, string[]? args = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args ?? [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        if (options.JsonLogs)
        {
            builder.Logging.AddJsonConsole(c =>
            {
                c.IncludeScopes = true;
                c.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                c.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(c =>
            {
                c.SingleLine = true;
                c.TimestampFormat = "HH:mm:ss ";
            });
        }

        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // Keys protect nothing here (no cookies, no antiforgery), so the key-ring warning is noise.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Logging.AddFilter(typeof(BearerAuthenticationHandler).FullName, LogLevel.Warning);
        builder.Services.AddFlowMeshServer(options);
        builder.Services.AddRateLimiter(r =>
        {
            r.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var caller = BearerAuthenticationHandler.Caller(http);
                if (caller is not null && http.Request.Path.StartsWithSegments("/api/v1/agent"))
                {
                    // Node agents heartbeat, poll and stream logs all the time; tenants' budgets are for tenants' calls.
                    return RateLimitPartition.GetNoLimiter("agent");
                }

                var key = caller?.Tenant ?? "anonymous:" + http.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RateLimitBurst,
                    TokensPerPeriod = options.RateLimitPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            r.OnRejected = (ctx, _) =>
            {
                var retry = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                return new ValueTask(Problems.WriteAsync(ctx.HttpContext, new ApiException(429, "rate_limited",
                    $"too many requests for this tenant; retry after {Math.Ceiling(retry.TotalSeconds).ToString(CultureInfo.InvariantCulture)} s") { RetryAfter = retry }));
            };
        });

        var app = builder.Build();

        // Built before the engine starts, so the first workflow's spans already have a listener.
        _ = app.Services.GetRequiredService<Telemetry.ServerTelemetry>();
        var metrics = app.Services.GetRequiredService<ApiMetrics>();
        app.Use(async (http, next) =>
        {
            await next(http).ConfigureAwait(false);
            metrics.Count(http.Response.StatusCode);
        });
        app.UseMiddleware<ProblemMiddleware>();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        SystemEndpoints.MapAnonymous(app);
        DashboardEndpoints.MapAnonymous(app);
        SignalEndpoints.MapAnonymous(app);
        var api = app.MapGroup("/api/v1").RequireAuthorization().AddEndpointFilter<PermissionFilter>();
        WorkflowEndpoints.Map(api);
        StreamEndpoints.Map(api);
        TaskEndpoints.Map(api);
        ResultEndpoints.Map(api);
        NodeEndpoints.Map(api);
        AgentEndpoints.Map(api);
        AdminEndpoints.Map(api);
        SystemEndpoints.Map(api);
        DashboardEndpoints.Map(api);
        SignalEndpoints.Map(api);
        SecretEndpoints.Map(api);

        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FlowMesh.Server");
            foreach (var type in app.Services.GetRequiredService<LoadedExtensions>().Types)
            {
                log.LogInformation("extension {Extension}", type);
            }

            // One plain line on stdout that scripts and tests read to find the port.
            foreach (var address in addresses)
            {
                Console.Out.WriteLine($"flowmesh: listening on {address}");
            }

            Console.Out.Flush();
        });
        return app;
    }
}
