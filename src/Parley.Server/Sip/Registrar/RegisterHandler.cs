using System.Globalization;
using Parley.Server.Diagnostics;
using Parley.Server.Sip.Core;
using Parley.Server.Sip.Gateway;
using Parley.Sip.Messages;

namespace Parley.Server.Sip.Registrar;

/// <summary>
/// REGISTER (RFC 3261 §10.3): the authenticated user adds, refreshes and removes contacts of their own address;
/// several contacts per user, expiry from the Contact parameter or Expires header, 423 below the minimum, longer
/// requests shortened to the maximum, "*" with Expires 0 removes all, Call-ID/CSeq ordering (500 when out of order),
/// and a 200 listing every current binding with its remaining time.
/// </summary>
public sealed class RegisterHandler(LocationService locations, SipUserSessions sessions, SipServerOptions options, IEventLog events, TimeProvider time)
    : ISipRequestHandler
{
    public IReadOnlyCollection<string> Methods { get; } = [SipMethods.Register];

    /// <summary>Bindings are stored before the 200.</summary>
    public bool WritesToStore => true;

    public async ValueTask HandleAsync(SipServerRequest request, CancellationToken cancellationToken)
    {
        var message = request.Request;
        if (request.User is not { } user)
        {
            await request.RespondAsync(403, "Registration needs authentication", cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        // §10.3 step 5: a user may register only their own address of record.
        if (!SipAddressMapping.TryToJid(message.To.Uri, out var aor) || aor != user)
        {
            await request.RespondAsync(403, "You may register only your own address", cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        var parsed = RegisterRequest.TryParse(message, options, out var problem);
        if (parsed is null)
        {
            await RefuseAsync(request, problem!, cancellationToken).ConfigureAwait(false);
            return;
        }

        var now = time.GetUtcNow();
        var flow = SipFlow.From(request.Source);
        var userAgent = message.Headers[SipHeaderNames.UserAgent];
        var outcome = await locations.UpdateAsync(user, current => Apply(parsed, current, user, flow, userAgent, now), cancellationToken).ConfigureAwait(false);
        if (outcome.Problem is { } refusal)
        {
            if (refusal.Status == 403)
            {
                events.Raise(ParleyEvents.Sip.BindingLimitReached, user, request.Source.Remote, options.MaxBindingsPerUser);
            }

            await RefuseAsync(request, refusal, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (outcome.Changed)
        {
            await sessions.OnBindingsChangedAsync(user, outcome.Added, cancellationToken).ConfigureAwait(false);
        }

        var bindings = locations.GetBindings(user);
        await request.RespondAsync(200, decorate: response =>
        {
            foreach (var binding in bindings)
            {
                var contact = new NameAddress(binding.Contact);
                contact.Parameters.Set("expires", binding.SecondsLeft(now).ToString(CultureInfo.InvariantCulture));
                if (binding.Q is { } q)
                {
                    contact.Parameters.Set("q", q.ToString("0.###", CultureInfo.InvariantCulture));
                }

                response.Headers.Add(SipHeaderNames.Contact, contact.ToString());
            }

            response.Headers.Set(SipHeaderNames.Date, now.UtcDateTime.ToString("r", CultureInfo.InvariantCulture));
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>§10.3 steps 6–8 on the current bindings: the new set, or why the whole request fails (nothing changes).</summary>
    private (IReadOnlyList<Binding>? NewSet, Outcome Result) Apply(RegisterRequest parsed, IReadOnlyList<Binding> current, Parley.Xmpp.Addressing.Jid user,
        SipFlow flow, string? userAgent, DateTimeOffset now)
    {
        if (parsed.RemoveAll)
        {
            foreach (var binding in current)
            {
                if (binding.CallId == parsed.CallId && parsed.CSeq <= binding.CSeq)
                {
                    return (null, new Outcome(RegisterProblem.OutOfOrder, false, false));
                }
            }

            return (current.Count == 0 ? null : [], new Outcome(null, current.Count > 0, false));
        }

        if (parsed.Contacts.Count == 0)
        {
            return (null, new Outcome(null, Changed: false, Added: false));
        }

        var set = current.ToList();
        var added = false;
        foreach (var (contact, expires) in parsed.Contacts)
        {
            var index = set.FindIndex(binding => binding.Contact.Equals(contact.Uri));
            if (index >= 0 && set[index].CallId == parsed.CallId && parsed.CSeq <= set[index].CSeq)
            {
                return (null, new Outcome(RegisterProblem.OutOfOrder, false, false));
            }

            if (expires == TimeSpan.Zero)
            {
                if (index >= 0)
                {
                    set.RemoveAt(index);
                }

                continue;
            }

            var q = double.TryParse(contact.Parameters["q"], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? Math.Clamp(value, 0, 1) : (double?)null;
            var binding = new Binding(user, contact.Uri, parsed.CallId, parsed.CSeq, now + expires, q, flow, userAgent);
            if (index >= 0)
            {
                set[index] = binding;
            }
            else
            {
                set.Add(binding);
                added = true;
            }
        }

        if (set.Count > options.MaxBindingsPerUser)
        {
            return (null, new Outcome(RegisterProblem.TooManyContacts(options.MaxBindingsPerUser), false, false));
        }

        return (set, new Outcome(null, true, added));
    }

    private static ValueTask RefuseAsync(SipServerRequest request, RegisterProblem problem, CancellationToken cancellationToken)
        => request.RespondAsync(problem.Status, problem.Reason, response =>
        {
            if (problem.MinExpires is { } minimum)
            {
                response.Headers.Set(SipHeaderNames.MinExpires, ((int)minimum.TotalSeconds).ToString(CultureInfo.InvariantCulture));
            }
        }, cancellationToken);

    private sealed record Outcome(RegisterProblem? Problem, bool Changed, bool Added);
}
