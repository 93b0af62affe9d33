using System.Collections.Concurrent;
using Parley.Server.Presence.Availability;
using Parley.Server.Sessions;
using Parley.Server.Sip.Core;
using Parley.Server.Sip.Gateway;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Presence.Publications;

public enum PublishResult
{
    /// <summary>Created, modified or refreshed: the outcome carries the new entity tag.</summary>
    Accepted,

    Removed,

    /// <summary>SIP-If-Match names no current publication of this user (RFC 3903 §6 step 4: 412).</summary>
    UnknownETag,
}

public readonly record struct PublishOutcome(PublishResult Result, SipPublication? Publication);

/// <summary>
/// Presence publications (RFC 3903) per user, with entity tags and expiry. The user's presence is their most recently
/// modified publication — what they last did on any device — and becomes their SIP session's presence through
/// <see cref="SipUserSessions.SetPublishedPresenceAsync"/>, so XMPP contacts and SIP watchers alike see it.
/// </summary>
public sealed class SipPublications(ISipPublicationStore store, SipUserSessions sessions, TimeProvider time)
{
    private readonly UserLocks _locks = new(64);

    /// <summary>User → their live publications; arrays are replaced whole under the user's lock.</summary>
    private readonly ConcurrentDictionary<Jid, SipPublication[]> _byUser = new();

    /// <summary>The state the user published last, or null when they have no live publication.</summary>
    public PresenceState? Current(Jid user)
    {
        var now = time.GetUtcNow();
        return _byUser.TryGetValue(user.Bare, out var list)
            ? list.Where(p => p.Expires > now).MaxBy(p => p.Modified)?.State
            : null;
    }

    /// <summary>
    /// Applies one PUBLISH. <paramref name="state"/> is null for a refresh (no body); <paramref name="expires"/> zero
    /// removes the publication named by <paramref name="ifMatch"/> (the caller refuses it without one).
    /// </summary>
    public async Task<PublishOutcome> PublishAsync(Jid user, string? ifMatch, PresenceState? state, TimeSpan expires, CancellationToken cancellationToken)
    {
        user = user.Bare;
        using (await _locks.AcquireAsync(user, cancellationToken).ConfigureAwait(false))
        {
            var now = time.GetUtcNow();
            var list = _byUser.GetValueOrDefault(user) ?? [];
            var previous = ifMatch is null ? null : list.FirstOrDefault(p => p.ETag == ifMatch && p.Expires > now);
            if (ifMatch is not null && previous is null)
            {
                return new PublishOutcome(PublishResult.UnknownETag, null);
            }

            if (state is null && previous is null)
            {
                throw new InvalidOperationException("Internal error: a PUBLISH without body and without SIP-If-Match reached the publication state.");
            }

            var before = Current(user);
            if (expires <= TimeSpan.Zero)
            {
                Replace(user, list, previous, null);
                await store.DeleteAsync(previous!.ETag, cancellationToken).ConfigureAwait(false);
                await ApplyIfChangedAsync(user, before, cancellationToken).ConfigureAwait(false);
                return new PublishOutcome(PublishResult.Removed, null);
            }

            // RFC 3903 §4.1: every successful PUBLISH gets a new entity tag; a refresh keeps the state and its age.
            var next = new SipPublication(SipIdentifiers.NewTag(), user, state ?? previous!.State, state is null ? previous!.Modified : now, now + expires);
            await store.SaveAsync(next, previous?.ETag, cancellationToken).ConfigureAwait(false);
            Replace(user, list, previous, next);
            await ApplyIfChangedAsync(user, before, cancellationToken).ConfigureAwait(false);
            return new PublishOutcome(PublishResult.Accepted, next);
        }
    }

    /// <summary>Removes publications that expired without refresh; the users' presence falls back accordingly.</summary>
    public async Task ExpireAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var (user, list) in _byUser)
        {
            if (!list.Any(p => p.Expires <= now))
            {
                continue;
            }

            using (await _locks.AcquireAsync(user, cancellationToken).ConfigureAwait(false))
            {
                var current = _byUser.GetValueOrDefault(user) ?? [];
                var before = current.MaxBy(p => p.Modified)?.State;
                foreach (var expired in current.Where(p => p.Expires <= now))
                {
                    await store.DeleteAsync(expired.ETag, cancellationToken).ConfigureAwait(false);
                    current = Replace(user, current, expired, null);
                }

                await ApplyIfChangedAsync(user, before, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Loads the publications that survived a restart and gives each user their published presence back.</summary>
    public async Task<int> RestoreAsync(CancellationToken cancellationToken)
    {
        var restored = await store.LoadAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        foreach (var group in restored.GroupBy(p => p.Publisher))
        {
            using (await _locks.AcquireAsync(group.Key, cancellationToken).ConfigureAwait(false))
            {
                _byUser[group.Key] = [.. group];
                await ApplyIfChangedAsync(group.Key, null, cancellationToken).ConfigureAwait(false);
            }
        }

        return restored.Count;
    }

    /// <summary>Replaces <paramref name="old"/> by <paramref name="next"/> (either may be null) in the user's list. Under the user's lock.</summary>
    private SipPublication[] Replace(Jid user, SipPublication[] list, SipPublication? old, SipPublication? next)
    {
        var updated = list.Where(p => !ReferenceEquals(p, old)).ToList();
        if (next is not null)
        {
            updated.Add(next);
        }

        if (updated.Count == 0)
        {
            _byUser.TryRemove(user, out _);
            return [];
        }

        return _byUser[user] = [.. updated];
    }

    private async Task ApplyIfChangedAsync(Jid user, PresenceState? before, CancellationToken cancellationToken)
    {
        var after = Current(user);
        if (after == before)
        {
            return;
        }

        await sessions.SetPublishedPresenceAsync(user, after is null ? null : SipPresenceMapping.ToXmppPresence(after), cancellationToken).ConfigureAwait(false);
    }
}
