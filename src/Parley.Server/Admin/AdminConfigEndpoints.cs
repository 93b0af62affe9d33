using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Parley.Server.Directory;
using Parley.Server.Management.Cms;
using Parley.Server.Management.Documents;

namespace Parley.Server.Admin;

/// <summary>
/// <c>/api/v1/config</c>: the CMS documents in their stored JSON form. A PUT replaces one document; the whole
/// configuration is validated first (400 with every field error, nothing written); a node that is not the
/// master answers 409 naming the master.
/// </summary>
internal sealed class AdminConfigEndpoints(ICmsStore cms)
{
    // Documents are larger than the API's other requests: 10,000 static routes are about 1 MB.
    private const long MaxDocumentBytes = 32L * 1024 * 1024;
    private const string RevisionHeader = "X-Parley-Revision";

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/config", GetAllAsync);
        app.MapGet("/api/v1/config/{name}", GetOneAsync);
        app.MapPut("/api/v1/config/{name}", PutAsync);
    }

    private async Task<IResult> GetAllAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (revision, configuration) = await cms.GetAsync(cancellationToken).ConfigureAwait(false);
        context.Response.Headers[RevisionHeader] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Json(new { revision, master = cms.MasterFqdn, isMaster = cms.IsMaster, documents = configuration }, DocumentJson.Options);
    }

    private async Task<IResult> GetOneAsync(string name, HttpContext context, CancellationToken cancellationToken)
    {
        if (!DocumentJson.IsDocumentName(name))
        {
            return UnknownDocument(name);
        }

        var (revision, configuration) = await cms.GetAsync(cancellationToken).ConfigureAwait(false);
        context.Response.Headers[RevisionHeader] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Text(DocumentJson.Serialize(configuration, name), "application/json");
    }

    private async Task<IResult> PutAsync(string name, HttpContext context, CancellationToken cancellationToken)
    {
        if (!DocumentJson.IsDocumentName(name))
        {
            return UnknownDocument(name);
        }

        if (!cms.IsMaster)
        {
            return NotMaster(cms.MasterFqdn!);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxDocumentBytes;
        }

        string json;
        using (var reader = new StreamReader(context.Request.Body))
        {
            json = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        var actor = $"admin-api:{context.Connection.RemoteIpAddress}";
        try
        {
            var revision = await cms.SetDocumentAsync(name, json, actor, cancellationToken).ConfigureAwait(false);
            context.Response.Headers[RevisionHeader] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Json(new { revision, document = name }, DocumentJson.Options);
        }
        catch (ConfigurationValidationException e)
        {
            return Results.Json(new
            {
                error = $"The {name} document was refused: {e.Errors.Count} error(s); nothing was changed.",
                errors = e.Errors,
            }, DocumentJson.Options, statusCode: StatusCodes.Status400BadRequest);
        }
        catch (CmsNotMasterException e)
        {
            return NotMaster(e.MasterFqdn);
        }
        catch (DirectoryException e)
        {
            // E.g. a domain removed while this node still has users in it.
            return Results.Json(new { error = e.Message }, DocumentJson.Options, statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static IResult NotMaster(string master)
        => Results.Json(new
        {
            error = $"This node is not the CMS master; configuration changes are made on the master, {master}. Fix: send the request to {master}'s admin API.",
            master,
        }, DocumentJson.Options, statusCode: StatusCodes.Status409Conflict);

    private static IResult UnknownDocument(string name)
        => Results.Json(new { error = $"There is no configuration document named '{name}'. Fix: use one of {string.Join(", ", DocumentNames.All)}." },
            DocumentJson.Options, statusCode: StatusCodes.Status404NotFound);
}
