// resosync-cli: the headless face of ResoSync, built from core alone.
#include "cli/BenchCommand.h"
#include "cli/CliCommand.h"
#include "cli/IndexesCommand.h"
#include "cli/SchemaCommand.h"
#include "cli/SimulateCommand.h"
#include "cli/SyncCommand.h"
#include "process/MallocTuning.h"

#include <QCoreApplication>
#include <QThread>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace resosync::cli;

namespace {

std::vector<std::unique_ptr<CliCommand>> makeCommands() {
    std::vector<std::unique_ptr<CliCommand>> commands;
    commands.push_back(std::make_unique<SchemaCommand>());
    commands.push_back(std::make_unique<SimulateCommand>());
    commands.push_back(std::make_unique<SyncCommand>());
    commands.push_back(std::make_unique<IndexesCommand>());
    commands.push_back(std::make_unique<BenchCommand>());
    return commands;
}

void printUsage(const std::vector<std::unique_ptr<CliCommand>> &commands) {
    QString text = u"Usage: resosync-cli <command> [options]\n\n"
                   "Replicates a RESO Web API feed into PostgreSQL.\n\nCommands:\n"_s;
    for (const auto &command : commands)
        text += u"  %1%2\n"_s.arg(command->name(), -12).arg(command->summary());
    text += u"\n'resosync-cli <command> --help' describes a command's options.\n\n"
            "Exit status: 0 done; 1 ran, but records were rejected, batches failed or the\n"
            "database refused a statement; 2 bad usage or settings, or a step that needs\n"
            "confirmation (a first full load, a large reconcile delete); 3 could not run\n"
            "(feed or database unreachable, login refused, a privilege missing, a feed that\n"
            "does not answer OData JSON)."_s;
    printOut(text);
}

} // namespace

int main(int argc, char *argv[]) {
    resosync::process::tuneMalloc(QThread::idealThreadCount()); // before any thread
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(u"ResoSync"_s);
    QCoreApplication::setApplicationName(u"resosync"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(RESOSYNC_VERSION));

    const auto commands = makeCommands();
    const QStringList args = QCoreApplication::arguments();
    const QString verb = args.value(1);
    if (verb.isEmpty() || verb == "-h"_L1 || verb == "--help"_L1 || verb == "help"_L1) {
        printUsage(commands);
        return verb.isEmpty() ? ExitUsage : ExitSuccess;
    }
    if (verb == "--version"_L1) {
        printOut(u"resosync-cli "_s + QCoreApplication::applicationVersion());
        return ExitSuccess;
    }
    for (const auto &command : commands) {
        if (command->name() == verb) {
            QStringList rest = args.mid(2);
            rest.prepend(args.value(0));
            return command->run(rest);
        }
    }
    printError(u"resosync-cli: unknown command '%1' (see 'resosync-cli --help')"_s.arg(verb));
    return ExitUsage;
}
