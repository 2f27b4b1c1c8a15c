import Glibc
import Switchboard

exit(CommandLineInterface.run(CommandLine.arguments))
