// Where a query token or expression starts, for ADT-shaped error messages (Line=…, Position=…).
export interface SourcePosition {
  /** 1-based, like ADT's "Line=1". */
  line: number;
  /** 0-based column within the line, like ADT's "Position=0". */
  column: number;
}
