namespace MaskRcnn.Data.Shapes;

/// <summary>The classes of the shapes dataset, numbered as their COCO category ids.</summary>
public enum ShapeKind { Square = 1, Circle = 2, Triangle = 3 }
