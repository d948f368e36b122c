using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Runtime.Storage;
using Orleans.Streams;

namespace FlowMesh.Runtime.Grains;

/// <summary>
/// A workflow grain's ordered event log: entries get gap-free sequence numbers as the grain appends them, and
/// <see cref="FlushAsync"/> makes everything appended so far durable. Concurrent flushes share one store write (the
/// grain is reentrant, so callers that changed state while a write was in flight ride the next one). After a write,
/// the entries go out on the workflow's stream in order; a watcher that misses one reads it back from the store.
/// </summary>
internal sealed class WorkflowLog(string workflowId, IWorkflowEventStore store, TimeProvider time)
{
    private List<WorkflowEvent> _pending = [];
    private Task? _writing;
    private Task _publishing = Task.CompletedTask;
    private Task _before = Task.CompletedTask;

    public long NextSeq { get; set; } = 1;

    public long DurableSeq { get; set; }

    public IAsyncStream<WorkflowEvent>? Stream { get; set; }

    public Action<Exception>? PublishFailed { get; set; }

    public WorkflowEvent Append(string kind, string? task, JsonObject data)
    {
        var e = new WorkflowEvent(workflowId, NextSeq++, time.GetUtcNow(), kind, task, data.ToJsonString());
        _pending.Add(e);
        return e;
    }

    /// <summary>
    /// Nothing more is written to the store until <paramref name="before"/> completes (a map's items in the plan:
    /// replay must find the tasks the log names). If it fails, every later flush fails: the grain starts over.
    /// </summary>
    public void WriteAfter(Task before) => _before = before;

    public async Task FlushAsync()
    {
        var target = NextSeq - 1;
        while (DurableSeq < target)
        {
            if (_writing is { IsCompleted: false } inFlight)
            {
                await inFlight;
                continue;
            }

            var write = WriteAsync();
            _writing = write;
            await write;
        }
    }

    private async Task WriteAsync()
    {
        await _before;
        var batch = _pending;
        _pending = [];
        try
        {
            await store.AppendAsync(batch, CancellationToken.None);
        }
        catch
        {
            // Put them back in order: the next flush retries them (the grain deactivates on a store failure anyway).
            batch.AddRange(_pending);
            _pending = batch;
            throw;
        }

        DurableSeq = batch[^1].Seq;
        if (Stream is { } stream)
        {
            _publishing = PublishAsync(_publishing, stream, batch);
        }
    }

    private async Task PublishAsync(Task previous, IAsyncStream<WorkflowEvent> stream, List<WorkflowEvent> batch)
    {
        await previous;
        try
        {
            foreach (var e in batch)
            {
                await stream.OnNextAsync(e);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The log is the truth: a watcher resumes from the store. A stream hiccup must not fail the workflow.
            PublishFailed?.Invoke(ex);
        }
    }
}
