using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlowMesh.Engine.Executors;

/// <summary>
/// FlowMesh's <c>api</c> task: one HTTP request per row of <c>data</c>, the row's prompt put where the body says
/// <c>{{prompt}}</c>, at most <c>api.concurrency</c> (≤ 8) at a time. Connection errors and 5xx/408/429 answers are
/// retried up to <c>api.retries</c> times, waiting what Retry-After asks or else an exponential backoff. Results come
/// back row-aligned. Without <c>api.url</c> the request goes to FLOWMESH_API_BASE_URL's chat completions endpoint with
/// FLOWMESH_API_TOKEN (NEBULA_* as in the original also work); that token is never sent to a URL the workflow chose.
/// </summary>
internal sealed class ApiExecutor(HttpMessageHandler? handler = null, TimeProvider? time = null) : IExecutor
{
    public const string Placeholder = "{{prompt}}";
    private const int MaxConcurrency = 8;
    private static readonly TimeSpan MaxRetryWait = TimeSpan.FromSeconds(60);
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: handler is null)
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string TaskType => "api";

    public bool IsAvailable => true;

    public async Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, ITaskLog log, CancellationToken cancellationToken)
    {
        var api = request.Spec["api"] as JsonObject ?? [];
        var call = ApiCall.From(api);
        var rows = Rows(request);
        if (rows.Count == 0)
        {
            throw new ExecutionException("spec.data produced no rows");
        }

        log.Write("stdout", $"api: {rows.Count} row(s) to {call.Method} {call.Url}, {call.Concurrency} at a time, up to {call.Retries} retries each");
        var items = new JsonObject?[rows.Count];
        var failures = new string?[rows.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count), new ParallelOptions { MaxDegreeOfParallelism = call.Concurrency, CancellationToken = cancellationToken },
            async (index, ct) => (items[index], failures[index]) = await SendRowAsync(call, index, rows[index], log, ct).ConfigureAwait(false)).ConfigureAwait(false);

        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            return ExecutionOutcome.Failure(failure);
        }

        log.Write("stdout", $"api: {rows.Count} request(s) to {call.Url} answered");
        return ExecutionOutcome.Success(new JsonObject
        {
            ["ok"] = true,
            ["executor"] = "api",
            ["method"] = call.Method.Method,
            ["url"] = call.Url.ToString(),
            ["status_code"] = items[0]!["status_code"]!.DeepClone(),
            ["truncated"] = items.Any(i => i!["truncated"]!.GetValue<bool>()),
            ["items"] = new JsonArray([.. items]),
        });
    }

    private async Task<(JsonObject? Item, string? Failure)> SendRowAsync(ApiCall call, int index, string prompt, ITaskLog log, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var message = call.Build(prompt);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(call.Timeout);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(message, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                var why = ex is OperationCanceledException ? $"timed out after {call.Timeout.TotalSeconds:0.###}s" : ex.Message;
                if (attempt < call.Retries)
                {
                    var wait = Backoff(attempt, null);
                    log.Write("stderr", $"api row {index}: {why}; retry {attempt + 1}/{call.Retries} in {wait.TotalSeconds:0.###}s");
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                return (null, $"API request failed (row {index}): {why}");
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (Retryable(status) && attempt < call.Retries)
                {
                    var wait = Backoff(attempt, response.Headers.RetryAfter);
                    log.Write("stderr", $"api row {index}: status {status}; retry {attempt + 1}/{call.Retries} in {wait.TotalSeconds:0.###}s");
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                return await ReadAsync(call, index, prompt, response, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<(JsonObject? Item, string? Failure)> ReadAsync(ApiCall call, int index, string prompt, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var truncated = bytes.Length > call.MaxBodyBytes;
        var body = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, call.MaxBodyBytes));
        var status = (int)response.StatusCode;
        var item = new JsonObject
        {
            ["index"] = index,
            ["url"] = call.Url.ToString(),
            ["status_code"] = status,
            ["truncated"] = truncated,
            ["prompt"] = prompt,
        };
        if (call.IncludeHeaders)
        {
            item["headers"] = new JsonObject([.. response.Headers.Concat(response.Content.Headers).Select(h => KeyValuePair.Create(h.Key, (JsonNode?)string.Join(", ", h.Value)))]);
        }

        if (call.RaiseForStatus && !response.IsSuccessStatusCode)
        {
            return (null, $"API request returned status {status} (row {index}){(body.Length > 0 ? $": {body[..Math.Min(200, body.Length)]}" : string.Empty)}");
        }

        if (call.ParseJson)
        {
            JsonObject? json;
            try
            {
                json = JsonNode.Parse(body) as JsonObject;
            }
            catch (JsonException)
            {
                json = null;
            }

            if (json is null)
            {
                return (null, $"API response (row {index}) is not a JSON object: {body[..Math.Min(200, body.Length)]}");
            }

            if (json["usage"] is not JsonObject usage)
            {
                return (null, $"spec.api.response.parse_json is true but the response (row {index}) has no usage");
            }

            if (json["choices"] is not JsonArray { Count: > 0 } choices || choices[0]?["message"]?["content"] is not JsonValue content)
            {
                return (null, $"spec.api.response.parse_json is true but the response (row {index}) has no choices[0].message.content");
            }

            item["response_json"] = json.DeepClone();
            item["usage"] = usage.DeepClone();
            item["text"] = content.DeepClone();
        }
        else if (call.ReturnBody)
        {
            item["text"] = body;
        }

        return (item, null);
    }

    private static bool Retryable(int status) => status >= 500 || status is 408 or 429;

    /// <summary>Retry-After (seconds or a date) when the server sent one, else 1 s, 2 s, 4 s … capped at a minute.</summary>
    private TimeSpan Backoff(int attempt, System.Net.Http.Headers.RetryConditionHeaderValue? retryAfter)
    {
        var wait = retryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - _time.GetUtcNow(),
            _ => TimeSpan.FromSeconds(Math.Pow(2, attempt)),
        };
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxRetryWait ? MaxRetryWait : wait;
    }

    /// <summary>The prompts: each item of data.items (literals or references into upstream results), rendered as text.</summary>
    private static List<string> Rows(ExecutionRequest request)
    {
        if (request.Spec["data"]?["items"] is not JsonArray items)
        {
            throw new ExecutionException("api executor requires spec.data.items to be a list (one request per row)");
        }

        var rows = new List<string>();
        foreach (var item in items)
        {
            var value = EchoExecutor.Resolve(item, request.UpstreamResults);
            foreach (var row in value is JsonArray list ? list : new JsonArray(value?.DeepClone()))
            {
                rows.Add(row is JsonValue v && v.TryGetValue<string>(out var s) ? s : row?.ToJsonString() ?? "null");
            }
        }

        return rows;
    }

    private sealed record ApiCall(Uri Url, HttpMethod Method, JsonObject Headers, JsonObject? Query, JsonNode? Body, bool BodyIsJson, TimeSpan Timeout, int Retries,
        int Concurrency, bool ParseJson, bool ReturnBody, bool RaiseForStatus, bool IncludeHeaders, int MaxBodyBytes)
    {
        public static ApiCall From(JsonObject api)
        {
            var headers = api["headers"] as JsonObject ?? [];
            headers = (JsonObject)headers.DeepClone();
            Uri url;
            if (Text(api["url"]) is { } explicitUrl)
            {
                url = Uri.TryCreate(explicitUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" ? u : throw new ExecutionException($"spec.api.url '{explicitUrl}' is not an http(s) URL");
            }
            else
            {
                var baseUrl = Env("FLOWMESH_API_BASE_URL", "NEBULA_API_BASE_URL") ?? throw new ExecutionException("spec.api.url or FLOWMESH_API_BASE_URL (on the node) is required");
                url = new Uri(baseUrl.TrimEnd('/') + "/v1/chat/completions");
                if (!headers.Any(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || h.Key.Contains("api-key", StringComparison.OrdinalIgnoreCase)))
                {
                    headers["Authorization"] = $"Bearer {Env("FLOWMESH_API_TOKEN", "NEBULA_API_TOKEN") ?? throw new ExecutionException("no credential: set an Authorization header or FLOWMESH_API_TOKEN on the node")}";
                }
            }

            if (api["json"] is not null && api["body"] is not null)
            {
                throw new ExecutionException("spec.api.json and spec.api.body are mutually exclusive");
            }

            var body = api["json"] ?? api["body"];
            var response = api["response"] as JsonObject ?? [];
            var retries = Int(api["retries"], 0);
            var concurrency = Int(api["concurrency"], MaxConcurrency);
            if (retries < 0 || concurrency < 1)
            {
                throw new ExecutionException("spec.api.retries must be >= 0 and spec.api.concurrency >= 1");
            }

            return new ApiCall(url, new HttpMethod((Text(api["method"]) ?? "POST").ToUpperInvariant()), headers, api["params"] as JsonObject, body?.DeepClone(),
                body is JsonObject or JsonArray, TimeSpan.FromSeconds(Number(api["timeout_sec"], 60)), retries, Math.Min(concurrency, MaxConcurrency),
                Bool(response["parse_json"], true), Bool(response["return_body"], true), Bool(response["raise_for_status"], true), Bool(response["include_headers"], false),
                Int(response["max_body_bytes"], 200_000));
        }

        public HttpRequestMessage Build(string prompt)
        {
            var target = Url;
            if (Query is { Count: > 0 })
            {
                var query = string.Join('&', Query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(Text(q.Value) ?? q.Value?.ToJsonString() ?? string.Empty)}"));
                target = new UriBuilder(Url) { Query = string.IsNullOrEmpty(Url.Query) ? query : Url.Query.TrimStart('?') + "&" + query }.Uri;
            }

            var message = new HttpRequestMessage(Method, target);
            if (Body is not null)
            {
                var filled = Substitute(Body, prompt);
                message.Content = BodyIsJson
                    ? new StringContent(filled!.ToJsonString(), Encoding.UTF8, "application/json")
                    : new StringContent(Text(filled) ?? filled?.ToJsonString() ?? string.Empty, Encoding.UTF8);
            }

            foreach (var (name, value) in Headers)
            {
                var text = Text(value) ?? value?.ToJsonString() ?? string.Empty;
                if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    if (message.Content is not null)
                    {
                        message.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(text);
                    }
                }
                else if (!message.Headers.TryAddWithoutValidation(name, text))
                {
                    message.Content?.Headers.TryAddWithoutValidation(name, text);
                }
            }

            return message;
        }

        private static JsonNode? Substitute(JsonNode? node, string prompt) => node switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s == Placeholder ? prompt : s.Replace(Placeholder, prompt, StringComparison.Ordinal),
            JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Substitute(kv.Value, prompt)))),
            JsonArray a => new JsonArray([.. a.Select(x => Substitute(x, prompt))]),
            _ => node?.DeepClone(),
        };

        private static string? Env(params string[] names) => names.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrEmpty(v));

        private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

        /// <summary>Numbers arrive backed by long, double or a JsonElement depending on their source; read them from their JSON text.</summary>
        private static int Int(JsonNode? node, int fallback) =>
            node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue
                ? (int)d
                : fallback;

        private static double Number(JsonNode? node, double fallback) =>
            node is JsonValue v && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 ? d : fallback;

        private static bool Bool(JsonNode? node, bool fallback) => node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : fallback;
    }
}
