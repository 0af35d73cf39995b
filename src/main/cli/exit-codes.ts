/** Exit status of a command that completed (warnings in the capture included). */
export const SUCCESS_EXIT_CODE = 0;
/** Exit status when the input file could not be read or the output could not be written. */
export const FILE_ERROR_EXIT_CODE = 1;
/** Exit status for an invalid command line. */
export const USAGE_EXIT_CODE = 2;
