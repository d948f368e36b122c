using System.Runtime.CompilerServices;
using System.Threading.Channels;
using FlowMesh.Abstractions;
using FlowMesh.Workflows;
using Orleans.Streams;

namespace FlowMesh.Runtime.Client;

/// <summary>
/// Submits and watches workflows through grain calls, from a silo or an Orleans client. Watching reads the durable log
/// after a cursor, then follows the workflow's stream: every event once, in order, whatever the stream dropped.
/// </summary>
public sealed class FlowMeshRuntimeClient(IClusterClient client, TimeProvider time)
{
    private const int Page = 1000;

    public async Task<WorkflowSnapshot> SubmitAsync(WorkflowDefinition definition, string tenant, string? submitter, CancellationToken cancellationToken)
    {
        var id = WorkflowPlanner.NewId(time);
        return await SubmitAsync(id, WorkflowPlanner.Plan(definition, tenant, submitter), cancellationToken);
    }

    public Task<WorkflowSnapshot> SubmitAsync(string id, WorkflowPlan plan, CancellationToken cancellationToken) =>
        client.GetGrain<IWorkflowGrain>(id).SubmitAsync(plan).WaitAsync(cancellationToken);

    public Task<WorkflowSnapshot?> GetAsync(string id, CancellationToken cancellationToken) =>
        client.GetGrain<IWorkflowGrain>(id).GetAsync().WaitAsync(cancellationToken);

    public Task<WorkflowState> CancelAsync(string id, string reason, CancellationToken cancellationToken) =>
        client.GetGrain<IWorkflowGrain>(id).CancelAsync(reason).WaitAsync(cancellationToken);

    /// <summary>Pauses a running workflow: what runs finishes, nothing new is placed. Returns its state (Paused).</summary>
    public Task<WorkflowState> PauseAsync(string id, CancellationToken cancellationToken) =>
        client.GetGrain<IWorkflowGrain>(id).PauseAsync().WaitAsync(cancellationToken);

    /// <summary>Resumes a paused workflow: its ready tasks queue again. Returns its state (Running).</summary>
    public Task<WorkflowState> ResumeAsync(string id, CancellationToken cancellationToken) =>
        client.GetGrain<IWorkflowGrain>(id).ResumeAsync().WaitAsync(cancellationToken);

    /// <summary>Completes with the workflow's final state.</summary>
    public async Task<WorkflowState> WaitAsync(string id, CancellationToken cancellationToken)
    {
        await foreach (var e in WatchAsync(id, 0, cancellationToken))
        {
            if (Terminal(e) is { } state)
            {
                return state;
            }
        }

        throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>Every event after <paramref name="afterSeq"/>, in order, until the workflow's final state.</summary>
    public async IAsyncEnumerable<WorkflowEvent> WatchAsync(string id, long afterSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var grain = client.GetGrain<IWorkflowGrain>(id);
        var live = Channel.CreateUnbounded<WorkflowEvent>(new UnboundedChannelOptions { SingleReader = true });
        var stream = client.GetStreamProvider(FlowMeshStreams.Provider).GetStream<WorkflowEvent>(Orleans.Runtime.StreamId.Create(FlowMeshStreams.WorkflowEvents, id));

        // Subscribe before reading the log, so an event written between the two reaches us one way or the other.
        var handle = await stream.SubscribeAsync((e, _) =>
        {
            live.Writer.TryWrite(e);
            return Task.CompletedTask;
        });
        try
        {
            var last = afterSeq;
            while (true)
            {
                var page = await grain.ReadEventsAsync(last, Page).WaitAsync(cancellationToken);
                foreach (var e in page)
                {
                    last = e.Seq;
                    yield return e;
                    if (Terminal(e) is not null)
                    {
                        yield break;
                    }
                }

                if (page.Length < Page)
                {
                    break;
                }
            }

            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            while (true)
            {
                WorkflowEvent next;
                idle.CancelAfter(TimeSpan.FromSeconds(5));
                try
                {
                    next = await live.Reader.ReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Quiet for a while: the stream may have dropped an event (a silo moved); the log says for sure.
                    idle.TryReset();
                    next = (await grain.ReadEventsAsync(last, 1)).FirstOrDefault()!;
                    if (next is null)
                    {
                        continue;
                    }
                }

                if (next.Seq <= last)
                {
                    continue;
                }

                if (next.Seq > last + 1)
                {
                    // A gap: fill it from the log, which has everything the stream carried.
                    foreach (var e in await grain.ReadEventsAsync(last, (int)Math.Min(Page, next.Seq - last)))
                    {
                        if (e.Seq > last)
                        {
                            last = e.Seq;
                            yield return e;
                            if (Terminal(e) is not null)
                            {
                                yield break;
                            }
                        }
                    }

                    continue;
                }

                last = next.Seq;
                yield return next;
                if (Terminal(next) is not null)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await handle.UnsubscribeAsync();
        }
    }

    private static WorkflowState? Terminal(WorkflowEvent e)
    {
        if (e.Kind != EventKinds.WorkflowState || System.Text.Json.Nodes.JsonNode.Parse(e.Data)?["state"]?.GetValue<string>() is not { } s)
        {
            return null;
        }

        var state = Enum.Parse<WorkflowState>(s);
        return StateMachines.Workflow.IsTerminal(state) ? state : null;
    }
}
