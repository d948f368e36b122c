using System.Text.Json;
using System.Threading.Channels;
using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Engine.Runtime;
using FlowMesh.Engine.Store;
using FlowMesh.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Server.Cluster;

/// <summary>
/// The leader's side of the inbox: claims commands in order (the claim is fenced by the term), posts each to the engine
/// in that order, and writes the answers back in batches, each batch notifying the senders.
/// </summary>
internal sealed class InboxPump(FlowMeshEngine engine, long term, StoreAccess stores, StoreNotifications notifications, TimeProvider time, ILogger logger)
{
    private const int ClaimBatch = 1000;
    private readonly Channel<InboxAnswer> _answers = Channel.CreateUnbounded<InboxAnswer>(new UnboundedChannelOptions { SingleReader = true });

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var writer = WriteAnswersAsync(cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var posted = notifications.InboxPosted;
                IReadOnlyList<InboxRow> rows;
                using (var store = stores.Open())
                {
                    rows = store.ClaimInbox(term, ClaimBatch);
                }

                foreach (var row in rows)
                {
                    // Each call posts to the engine's mailbox before its first await: claim order is apply order.
                    _ = HandleAsync(row, cancellationToken);
                }

                if (rows.Count < ClaimBatch)
                {
                    await Task.WhenAny(posted, Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken)).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _answers.Writer.TryComplete();
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException || FlowMeshStore.IsUnavailable(ex))
            {
                // Unanswered senders see the new term and answer their clients themselves.
            }
        }
    }

    private async Task HandleAsync(InboxRow row, CancellationToken cancellationToken)
    {
        InboxAnswer answer;
        try
        {
            answer = new InboxAnswer(row.Id, await ExecuteAsync(row, cancellationToken).ConfigureAwait(false), null, 200);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            var (failure, status) = InboxFailure.Encode(ex);
            answer = new InboxAnswer(row.Id, null, failure, status);
        }

        _answers.Writer.TryWrite(answer);
    }

    private async Task<string> ExecuteAsync(InboxRow row, CancellationToken ct)
    {
        var c = JsonSerializer.Deserialize<InboxCommand>(row.Body, ProtocolJson.Options)
            ?? throw new ArgumentException($"inbox command {row.Id} has no body");
        object reply = row.Kind switch
        {
            InboxKind.Submit => await engine.SubmitAsync(c.Definition!, c.Tenant!, c.Submitter, ct).ConfigureAwait(false),
            InboxKind.Cancel => await engine.CancelAsync(c.WorkflowId!, c.Reason!, ct).ConfigureAwait(false),
            InboxKind.Retry => await engine.RetryAsync(c.WorkflowId!, ct).ConfigureAwait(false),
            InboxKind.Pause => await engine.PauseAsync(c.WorkflowId!, c.Cordoned, ct).ConfigureAwait(false),
            InboxKind.Stop => await engine.StopTaskAsync(c.WorkflowId!, c.Task!, c.Reason!, ct).ConfigureAwait(false),
            InboxKind.Signal => await engine.SignalAsync(c.WorkflowId!, c.Task!, c.Index, c.Cordoned, c.Reason!, c.Data, ct).ConfigureAwait(false),
            InboxKind.Cordon => await engine.CordonAsync(c.NodeId!, c.Cordoned, ct).ConfigureAwait(false),
            InboxKind.Register => await engine.RegisterNodeAsync(c.Registration!, ct).ConfigureAwait(false),
            InboxKind.Heartbeat => await engine.HeartbeatAsync(c.NodeId!, c.Beat!, ct).ConfigureAwait(false),
            InboxKind.Report => await engine.ReportAsync(c.NodeId!, c.WorkflowId!, c.Index, c.Report!, ct).ConfigureAwait(false),
            InboxKind.Leave => await engine.LeaveNodeAsync(c.NodeId!, c.Leave!, ct).ConfigureAwait(false),
            _ => throw new ArgumentException($"unknown inbox command kind '{row.Kind}'"),
        };
        return JsonSerializer.Serialize(reply, reply.GetType(), ProtocolJson.Options);
    }

    private async Task WriteAnswersAsync(CancellationToken cancellationToken)
    {
        var batch = new List<InboxAnswer>();
        while (await _answers.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < 4096 && _answers.Reader.TryRead(out var answer))
            {
                batch.Add(answer);
            }

            try
            {
                using var store = stores.Open();
                store.AnswerInbox(batch);
            }
            catch (Exception ex) when (FlowMeshStore.IsUnavailable(ex))
            {
                logger.LogWarning("could not write {Count} inbox answer(s): {Message}", batch.Count, ex.Message);
            }
        }
    }
}
