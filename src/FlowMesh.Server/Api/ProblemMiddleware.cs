using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Server.Api;

/// <summary>Turns every failure into a problem answer: API errors as they are, Kestrel's limits (413) with their status, the rest 500.</summary>
internal sealed class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
            if (context.Response is { StatusCode: 404, HasStarted: false } && context.GetEndpoint() is null)
            {
                await Problems.WriteAsync(context, new ApiException(404, "route_not_found", $"no route {context.Request.Method} {context.Request.Path}")).ConfigureAwait(false);
            }
            else if (context.Response is { StatusCode: 405, HasStarted: false })
            {
                await Problems.WriteAsync(context, new ApiException(405, "method_not_allowed", $"{context.Request.Method} is not allowed on {context.Request.Path}")).ConfigureAwait(false);
            }
        }
        catch (ApiException ex)
        {
            await Problems.WriteAsync(context, ex).ConfigureAwait(false);
        }
        catch (Engine.Runtime.StaleEpochException ex)
        {
            // Any route a node calls: its epoch is past, so it must register again.
            await Problems.WriteAsync(context, new ApiException(409, "stale_epoch", ex.Message, "epoch")).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            var code = ex.StatusCode == 413 ? "payload_too_large" : "bad_request";
            await Problems.WriteAsync(context, new ApiException(ex.StatusCode, code, ex.Message)).ConfigureAwait(false);
        }
        catch (Exception ex) when (Engine.Store.FlowMeshStore.IsTransient(ex))
        {
            // The database is down or was lost mid-request: nothing was acknowledged, so the client may retry.
            Engine.Store.FlowMeshStore.ResetConnections();
            logger.LogWarning("{Method} {Path}: store unavailable: {Message}", context.Request.Method, context.Request.Path, ex.Message);
            await Problems.WriteAsync(context, new ApiException(503, "store_unavailable", $"the store is unavailable, retry shortly: {ex.Message}")
            {
                RetryAfter = TimeSpan.FromSeconds(1),
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            await Problems.WriteAsync(context, new ApiException(500, "internal_error", "the server failed to handle this request; see its log")).ConfigureAwait(false);
        }
    }
}
