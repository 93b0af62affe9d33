using Parley.Server.Configuration;
using Parley.Server.Directory;
using Parley.Server.Management.Cms;
using Parley.Server.Management.Documents;
using Parley.Server.Security;
using Parley.Server.Storage;

namespace Parley.Cli;

/// <summary>Runs a command body and turns typed failures into a message on stderr and an exit code.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(CliContext context, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            return Fail(context, e.Message, ExitCodes.Usage);
        }
        catch (DirectoryException e)
        {
            var code = e.Error is DirectoryError.InvalidJid or DirectoryError.InvalidDomain or DirectoryError.InvalidPassword
                or DirectoryError.DuplicateUser or DirectoryError.InvalidImport
                ? ExitCodes.Usage
                : ExitCodes.Refused;
            return Fail(context, e.Message, code);
        }
        catch (ConfigurationValidationException e)
        {
            return Fail(context, e.Message, ExitCodes.Usage);
        }
        catch (CmsNotMasterException e)
        {
            return Fail(context, e.Message, ExitCodes.NotMaster);
        }
        catch (ConfigurationException e)
        {
            return Fail(context, e.Message, e.Origin == BootstrapConfigLoader.CommandLineSource ? ExitCodes.Usage : ExitCodes.Configuration);
        }
        catch (StorageException e)
        {
            var code = e.Error is StorageError.DataDirectoryUnusable or StorageError.NotInitialised or StorageError.ReadOnly or StorageError.SchemaTooNew
                ? ExitCodes.Configuration
                : ExitCodes.Storage;
            return Fail(context, e.Message, code);
        }
        catch (CertificateException e)
        {
            return Fail(context, e.Message, ExitCodes.Configuration);
        }
    }

    public static int Fail(CliContext context, string message, int code)
    {
        context.Error.WriteLine("parley: " + message);
        return code;
    }
}
