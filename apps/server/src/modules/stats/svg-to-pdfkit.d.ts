declare module 'svg-to-pdfkit' {
  const SVGtoPDF: (
    doc: PDFKit.PDFDocument,
    svg: string,
    x: number,
    y: number,
    options?: { width?: number; height?: number; assumePt?: boolean; fontCallback?: () => string },
  ) => void
  export default SVGtoPDF
}
